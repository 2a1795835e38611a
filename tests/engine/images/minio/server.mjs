// The MinIO stand-in's server, run as `minio server DIR --console-address :9001` (the generated
// files' command). MinIO publishes no image we can pull here, so the engine tests use s3rver (a
// real S3 implementation checking AWS signatures) behind MinIO's command line:
// - S3 API on :9000, bucket data in DIR (the generated volume);
// - only keys MinIO would accept: the root user from MINIO_ROOT_USER/MINIO_ROOT_PASSWORD, and
//   users added with `mc admin user add` once a policy is attached to them (as in MinIO, a user
//   without a policy cannot do anything). Policies themselves are stored, not enforced;
// - an admin endpoint on :9002 for the `mc` stand-in (MinIO's admin API is on :9000; s3rver
//   owns that port's routes), and a placeholder console page on :9001.
import { createServer } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import S3rver from 's3rver';
import AWSAccount from 's3rver/lib/models/account.js';

const args = process.argv.slice(2);
if (args[0] !== 'server' || !args[1]) {
  console.error('usage: minio server DIR [--console-address :PORT]');
  process.exit(2);
}
const directory = args[1];
const consoleArg = args.indexOf('--console-address');
const consolePort = consoleArg >= 0 ? Number(String(args[consoleArg + 1]).replace(/^.*:/, '')) : 9001;
const rootUser = process.env.MINIO_ROOT_USER;
const rootPassword = process.env.MINIO_ROOT_PASSWORD;
if (!rootUser || !rootPassword) {
  console.error('MINIO_ROOT_USER and MINIO_ROOT_PASSWORD must be set');
  process.exit(1);
}

const stateDir = join(directory, '.minio.sys');
const stateFile = join(stateDir, 'standin-iam.json');
mkdirSync(stateDir, { recursive: true });
/** @type {{users: Record<string, {secret: string, policies: string[]}>, policies: Record<string, unknown>}} */
const iam = existsSync(stateFile) ? JSON.parse(readFileSync(stateFile, 'utf8')) : { users: {}, policies: {} };
const saveIam = () => writeFileSync(stateFile, JSON.stringify(iam));

const account = AWSAccount.DUMMY_ACCOUNT;
account.revokeAccessKey('S3RVER');
function applyKeys() {
  for (const key of [...account.accessKeys.keys()]) account.revokeAccessKey(key);
  account.createKeyPair(rootUser, rootPassword);
  for (const [name, user] of Object.entries(iam.users)) {
    if (user.policies.length > 0) account.createKeyPair(name, user.secret);
  }
}
applyKeys();

const s3 = new S3rver({ port: 9000, address: '0.0.0.0', directory, silent: true, vhostBuckets: false });
await s3.run();

function reply(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
const admin = createServer(async (req, res) => {
  const url = new URL(req.url ?? '/', 'http://admin');
  if (url.pathname === '/minio/health/ready') return reply(res, 200, { ready: true });
  if (req.headers['x-root-user'] !== rootUser || req.headers['x-root-password'] !== rootPassword) {
    return reply(res, 403, { error: 'The Access Key Id you provided does not exist in our records.' });
  }
  let body = '';
  for await (const chunk of req) body += chunk;
  const input = body ? JSON.parse(body) : {};
  switch (url.pathname) {
    case '/bucket': {
      const exists = !!(await s3.store.getBucket(input.bucket));
      if (exists && !input.ignoreExisting)
        return reply(res, 409, {
          error: 'Your previous request to create the named bucket succeeded and you already own it.',
        });
      if (!exists) await s3.store.putBucket(input.bucket);
      return reply(res, 200, { created: !exists });
    }
    case '/policy':
      iam.policies[input.name] = input.document;
      saveIam();
      return reply(res, 200, {});
    case '/user': {
      const policies = iam.users[input.accessKey]?.policies ?? [];
      iam.users[input.accessKey] = { secret: input.secretKey, policies };
      saveIam();
      applyKeys();
      return reply(res, 200, {});
    }
    case '/attach': {
      const user = iam.users[input.user];
      if (!user) return reply(res, 404, { error: `The specified user does not exist.` });
      if (!iam.policies[input.policy]) return reply(res, 404, { error: `The canned policy does not exist.` });
      // MinIO answers a repeated attach with an error (minio/mc#4670); so does the stand-in.
      if (user.policies.includes(input.policy))
        return reply(res, 400, { error: 'The specified policy change is already in effect.' });
      user.policies.push(input.policy);
      saveIam();
      applyKeys();
      return reply(res, 200, {});
    }
    default:
      return reply(res, 404, { error: 'unknown admin call' });
  }
});
admin.listen(9002, '0.0.0.0');
createServer((_req, res) => res.end('MinIO console stand-in\n')).listen(consolePort, '0.0.0.0');
console.log(`MinIO stand-in: S3 API :9000, console :${consolePort}, data in ${directory}`);
const stop = () => {
  admin.close();
  s3.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
