import { serviceNamedBy, snapshotDestinationProblem } from '../../restate/settings.js';
import type { ComposeService } from '../../load/compose-file.js';
import { createsBucket, reachesByName } from '../../restate/services.js';
import { hostOf, type Finding, type ProjectRule, type RuleContext } from './rule.js';

const v = (name: string) => `RESTATE_WORKER__SNAPSHOTS__${name}`;

type Say = (severity: Finding['severity'], variable: string, message: string) => void;

/** A node without a destination: an interval alone stops the server; none at all weakens a cluster. */
function withoutDestination(n: ComposeService, multiNode: boolean, say: Say) {
  const interval = ['SNAPSHOT_INTERVAL', 'SNAPSHOT_INTERVAL_NUM_RECORDS'].find(
    (k) => n.restate.settings[v(k)] !== undefined,
  );
  if (interval) say('error', v(interval), 'a snapshot interval without a destination: restate-server refuses to start');
  if (multiNode)
    say(
      'warning',
      v('DESTINATION'),
      'no snapshot destination: a node that joins later or loses its disk cannot catch up once logs are trimmed',
    );
}

/**
 * The S3 client's settings, with the AWS conventions Restate falls back to when a key is unset
 * (crates/object-store-util: AWS_ALLOW_HTTP, AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, and the
 * AWS SDK's region chain, AWS_REGION / AWS_DEFAULT_REGION).
 */
function s3Settings(n: ComposeService) {
  const settings = n.restate.settings;
  const aws = n.environment;
  return {
    endpoint: settings[v('AWS_ENDPOINT_URL')] ?? aws.AWS_ENDPOINT_URL_S3 ?? aws.AWS_ENDPOINT_URL,
    // The key must be true or false; the variable is true when it says so, and false otherwise.
    allowHttp:
      settings[v('AWS_ALLOW_HTTP')] ??
      (aws.AWS_ALLOW_HTTP === undefined ? undefined : String(aws.AWS_ALLOW_HTTP.trim().toLowerCase() === 'true')),
    region: settings[v('AWS_REGION')] ?? settings[v('AWS_PROFILE')] ?? aws.AWS_REGION ?? aws.AWS_DEFAULT_REGION,
  };
}

/** An s3:// destination's endpoint: plain http allowed, a region, and a host that exists and is reached. */
function endpointSettings(n: ComposeService, byHost: RuleContext['byHost'], say: Say) {
  const { endpoint, allowHttp, region } = s3Settings(n);
  if (allowHttp !== undefined && allowHttp !== 'true' && allowHttp !== 'false') {
    say(
      'error',
      v('AWS_ALLOW_HTTP'),
      `"${allowHttp}" is not true or false (lowercase): restate-server refuses to start`,
    );
  } else if (endpoint?.startsWith('http://') && allowHttp !== 'true') {
    const message =
      n.restate.settings[v('AWS_ALLOW_HTTP')] === 'false'
        ? `the endpoint ${endpoint} is plain http, and aws-allow-http is "false" here, over any AWS_ALLOW_HTTP: Restate refuses it`
        : `the endpoint ${endpoint} is plain http, which Restate refuses unless AWS_ALLOW_HTTP is "true"`;
    say('error', v('AWS_ALLOW_HTTP'), message);
  }
  if (endpoint !== undefined && region === undefined) {
    const message = 'not set: with a custom endpoint the node fails to resolve a region; set any value (e.g. local)';
    say('error', v('AWS_REGION'), message);
  }
  // A dotted name is a service's alias when one declares it, else a host outside the file.
  const host = endpoint ? hostOf(endpoint)?.host : undefined;
  const store = host === undefined ? undefined : byHost.get(host);
  if (endpoint && serviceNamedBy(endpoint) !== undefined && !store) {
    say('error', v('AWS_ENDPOINT_URL'), `${endpoint} names "${host}", which is no service in this file`);
  } else if (store && !reachesByName(n, store, host)) {
    say(
      'error',
      v('AWS_ENDPOINT_URL'),
      `${endpoint} is ${store.name}, which shares no network with ${n.name}: the name does not resolve there, and no snapshot is written or read`,
    );
  }
}

function eachNode({ nodes, byHost }: RuleContext): Finding[] {
  const findings: Finding[] = [];
  for (const n of nodes) {
    const say: Say = (severity, variable, message) =>
      findings.push({ severity, rule: 'snapshots', service: n.name, variable, message });
    const destination = n.restate.settings[v('DESTINATION')];
    const problem = destination === undefined ? undefined : snapshotDestinationProblem(destination);
    if (destination === undefined) withoutDestination(n, nodes.length > 1, say);
    else if (problem) say('error', v('DESTINATION'), `"${destination}": ${problem}`);
    else endpointSettings(n, byHost, say);
  }
  return findings;
}

/** Restate never creates the bucket: when the store is a service of the file, some service must. */
function bucketCreated({ nodes, byHost, project }: RuleContext): Finding[] {
  const destination = nodes.map((n) => n.restate.settings[v('DESTINATION')]).find((d) => d?.startsWith('s3://'));
  const { endpoint } = s3Settings(nodes[0]!);
  if (!destination || !endpoint || !byHost.has(hostOf(endpoint)?.host ?? '') || createsBucket(project.services))
    return [];
  return [
    {
      severity: 'warning',
      rule: 'snapshots',
      message: `no service creates the bucket of ${destination} (no "mc mb" found); Restate never creates it, and snapshots fail until it exists`,
    },
  ];
}

/** The store each node writes to, however it is set (AWS_* fallbacks too); unknown nodes aside. */
function sameSettings({ nodes }: RuleContext): Finding[] {
  const settings = new Set(
    nodes
      .filter((n) => !n.restate.partlyUnknown)
      .map((n) => {
        const { endpoint, region, allowHttp } = s3Settings(n);
        // Unset, plain http is not allowed: the same as false.
        const destination = n.restate.settings[v('DESTINATION')];
        // Whether plain http is allowed matters only for an http:// endpoint.
        const http = endpoint?.startsWith('http://') ? (allowHttp ?? 'false') : undefined;
        return JSON.stringify({ destination, endpoint, region, http });
      }),
  );
  if (settings.size <= 1) return [];
  return [
    {
      severity: 'warning',
      rule: 'snapshots',
      message:
        'the nodes have different snapshot stores (destination, endpoint, region or AWS_ALLOW_HTTP); every node writes and reads the same snapshots',
    },
  ];
}

export const snapshots: ProjectRule = {
  id: 'snapshots',
  summary:
    'snapshots go to an s3:// destination that can work (region, AWS_ALLOW_HTTP for http, a bucket job), the same on every node',
  fix: 'set RESTATE_WORKER__SNAPSHOTS__DESTINATION=s3://BUCKET/PREFIX with RESTATE_WORKER__SNAPSHOTS__AWS_REGION (and …_AWS_ALLOW_HTTP for http://), and a job that creates the bucket',
  appliesTo: 'cluster',
  refusesRehearsal: true,
  check: (c) => [...eachNode(c), ...bucketCreated(c), ...sameSettings(c)],
};
