// The typed compose model: what check's rules and rehearse's translation read instead of the YAML.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from '../src/load/loader.js';
import { tempDir } from './helpers.js';

function load(yaml: string) {
  const dir = tempDir();
  try {
    writeFileSync(join(dir.path, 'docker-stack.yaml'), yaml);
    return loadCompose(dir.path);
  } finally {
    dir.remove();
  }
}

test('deploy, networks, port modes, container names and unquoted environment values are typed', () => {
  const project = load(`
services:
  restate-1:
    image: docker.restate.dev/restatedev/restate:1.7.12
    container_name: node-one
    environment:
      RESTATE_FORCE_NODE_ID: 1
      RESTATE_AUTO_PROVISION: true
      RESTATE_CLUSTER_NAME: "c"
    ports:
      - { target: 8080, published: 8080, mode: host }
      - "9070:9070"
    deploy:
      replicas: 1
      endpoint_mode: dnsrr
      placement: { constraints: ["node.labels.k == 1"] }
      update_config: { order: stop-first }
      restart_policy: { condition: any }
      resources: { limits: { memory: 4G } }
  minio:
    image: quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z
    deploy:
      placement: {}
networks:
  default: { driver: overlay }
  plain:
`);
  const [node, minio] = project.services;
  expect(node!.containerName).toBe('node-one');
  expect(node!.nonStringEnvironment).toEqual({ RESTATE_FORCE_NODE_ID: 1, RESTATE_AUTO_PROVISION: true });
  expect(node!.environment.RESTATE_FORCE_NODE_ID).toBe('1');
  expect(node!.ports.map((p) => p.mode)).toEqual(['host', 'ingress']);
  expect(node!.deploy).toEqual({
    replicas: 1,
    endpointMode: 'dnsrr',
    placement: { constraints: ['node.labels.k == 1'] },
    updateConfig: { order: 'stop-first' },
    restartPolicy: { condition: 'any' },
    memoryLimit: '4G',
  });
  expect(node!.memLimit).toBe('4G');
  expect(minio!.deploy?.placement).toEqual({ constraints: [] });
  expect(minio!.containerName).toBeUndefined();
  expect(project.networks).toEqual({ default: { driver: 'overlay' }, plain: { driver: undefined } });
});
