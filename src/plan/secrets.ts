import { createHmac, randomBytes } from 'node:crypto';

/** Credentials the cluster needs. Generated per cluster; never a well-known default. */
export interface Secrets {
  minioRootUser: string;
  minioRootPassword: string;
  /** Restate's own MinIO key, limited to the snapshot bucket. */
  snapshotsAccessKey: string;
  snapshotsSecretKey: string;
  /** Grafana's admin password (used with --monitoring). */
  grafanaAdminPassword: string;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

// Letters and digits only, so a value needs no quoting in .env, YAML, a shell or a URL.
function toAlphabet(bytes: Buffer, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! % ALPHABET.length];
  return out;
}

/**
 * A source of bytes for `purpose`. Random by default; with a seed, derived from it
 * (HMAC-SHA256) so that committed examples regenerate byte for byte.
 */
export type ByteSource = (purpose: string, length: number) => Buffer;

export const randomSource: ByteSource = (_purpose, length) => randomBytes(length);

export function seededSource(seed: string): ByteSource {
  return (purpose, length) => {
    const digest = createHmac('sha256', seed).update(purpose).digest();
    if (length > digest.length) throw new RangeError('seeded secrets are at most 32 bytes');
    return digest.subarray(0, length);
  };
}

export function generateSecrets(source: ByteSource = randomSource): Secrets {
  return {
    minioRootUser: `admin-${toAlphabet(source('minio-root-user', 8), 8)}`,
    // 32 characters of a 62-letter alphabet: about 190 bits.
    minioRootPassword: toAlphabet(source('minio-root-password', 32), 32),
    snapshotsAccessKey: `restate-${toAlphabet(source('snapshots-access-key', 12), 12)}`,
    snapshotsSecretKey: toAlphabet(source('snapshots-secret-key', 32), 32),
    grafanaAdminPassword: toAlphabet(source('grafana-admin-password', 24), 24),
  };
}
