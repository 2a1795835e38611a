/**
 * The S3 stand-in for MinIO, run as its own process: s3rver on 127.0.0.1:<port>, with the
 * bucket created and the cluster's own credentials registered, so Restate's signed requests
 * are checked against the keys in .env (not s3rver's built-in S3RVER/S3RVER pair).
 *   S3_ACCESS_KEY_ID=… S3_SECRET_ACCESS_KEY=… node s3-server.js PORT DIRECTORY BUCKET
 * (the keys in the environment: a command line is visible to every user in ps).
 */
import { createRequire } from 'node:module';

const [portText, directory, bucket] = process.argv.slice(2);
const { S3_ACCESS_KEY_ID: accessKeyId, S3_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
const require = createRequire(import.meta.url);
// s3rver keeps its accounts in a registry that its authentication middleware reads.
const { DUMMY_ACCOUNT } = require('s3rver/lib/models/account');
if (accessKeyId && secretAccessKey) DUMMY_ACCOUNT.createKeyPair(accessKeyId, secretAccessKey);
const S3rver = require('s3rver');
await new S3rver({
  port: Number(portText),
  address: '127.0.0.1',
  directory,
  silent: false,
  vhostBuckets: false,
  configureBuckets: [{ name: bucket }],
}).run();
console.log(`s3 stand-in listening on 127.0.0.1:${portText}, bucket ${bucket}`);
