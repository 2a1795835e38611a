// The `mc` stand-in: the calls the generated files make (and `ls` for the tests), against the
// MinIO stand-in's admin endpoint (server.mjs), with mc's exit codes and messages.
//   mc ready ALIAS | alias set NAME URL USER PASSWORD | mb [--ignore-existing] ALIAS/BUCKET
//   mc admin policy create ALIAS NAME FILE | admin user add ALIAS KEY SECRET
//   mc admin policy attach ALIAS POLICY --user KEY | ls --recursive ALIAS/BUCKET[/PREFIX]
import { mkdirSync, readFileSync, writeFileSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';

const configFile = join(homedir(), '.mc', 'standin-aliases.json');
const aliases = existsSync(configFile) ? JSON.parse(readFileSync(configFile, 'utf8')) : {};
const fail = (message) => {
  console.error(`mc: <ERROR> ${message}`);
  process.exit(1);
};

function aliasOf(name) {
  if (name === 'local')
    return {
      url: 'http://127.0.0.1:9000',
      user: process.env.MINIO_ROOT_USER,
      password: process.env.MINIO_ROOT_PASSWORD,
    };
  return aliases[name] ?? fail(`Unable to find alias \`${name}\`.`);
}
async function adminCall(aliasName, path, input) {
  const alias = aliasOf(aliasName);
  const url = new URL(alias.url);
  url.port = '9002';
  url.pathname = path;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'x-root-user': alias.user ?? '', 'x-root-password': alias.password ?? '' },
      body: JSON.stringify(input ?? {}),
    });
  } catch (error) {
    fail(`Unable to connect to ${alias.url}: ${error.cause?.code ?? error.message}`);
  }
  const body = await response.json();
  if (!response.ok) fail(body.error);
  return body;
}

const args = process.argv.slice(2);
const [command, sub, ...rest] = args;
if (command === 'ready') {
  const alias = aliasOf(sub);
  const url = new URL(alias.url);
  url.port = '9002';
  url.pathname = '/minio/health/ready';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    process.exit(response.ok ? 0 : 1);
  } catch {
    process.exit(1);
  }
} else if (command === 'alias' && sub === 'set') {
  const [name, url, user, password] = rest;
  aliases[name] = { url, user, password };
  mkdirSync(join(homedir(), '.mc'), { recursive: true });
  writeFileSync(configFile, JSON.stringify(aliases));
  await adminCall(name, '/minio/health/ready');
  console.log(`Added \`${name}\` successfully.`);
} else if (command === 'mb') {
  const ignoreExisting = args.includes('--ignore-existing') || args.includes('-p');
  const target = args.slice(1).find((a) => !a.startsWith('-'));
  const [aliasName, bucket] = target.split('/');
  await adminCall(aliasName, '/bucket', { bucket, ignoreExisting });
  console.log(`Bucket created successfully \`${target}\`.`);
} else if (command === 'admin' && sub === 'policy' && rest[0] === 'create') {
  const [, aliasName, name, file] = rest;
  await adminCall(aliasName, '/policy', { name, document: JSON.parse(readFileSync(file, 'utf8')) });
  console.log(`Created policy \`${name}\` successfully.`);
} else if (command === 'admin' && sub === 'user' && rest[0] === 'add') {
  const [, aliasName, accessKey, secretKey] = rest;
  await adminCall(aliasName, '/user', { accessKey, secretKey });
  console.log(`Added user \`${accessKey}\` successfully.`);
} else if (command === 'admin' && sub === 'policy' && rest[0] === 'attach') {
  const [, aliasName, policy] = rest;
  const user = rest[rest.indexOf('--user') + 1];
  await adminCall(aliasName, '/attach', { policy, user });
  console.log(`Attached Policies: [${policy}]\nTo User: ${user}`);
} else if (command === 'ls') {
  // Objects as s3rver stores them on disk (the container's own data directory).
  const target = args.slice(1).find((a) => !a.startsWith('-'));
  const [, ...path] = target.split('/');
  const walk = (dir, prefix) => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (name.endsWith('._S3rver_object')) console.log(`${prefix}${name.slice(0, -'._S3rver_object'.length)}`);
      else if (statSync(full).isDirectory() && !name.startsWith('.')) walk(full, `${prefix}${name}/`);
    }
  };
  walk(join(process.env.MINIO_DATA_DIR ?? '/data', ...path), '');
} else {
  fail(`the mc stand-in does not implement: ${args.join(' ')}`);
}
