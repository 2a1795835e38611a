import { fileURLToPath } from 'node:url';

/**
 * The programs the rehearsal starts as processes of their own, next to this module: in dist/
 * as in the bundle (scripts/bundle.mjs builds each as an entry point beside the CLI). Resolved
 * here, not in steps/, so that the relative path holds in both layouts.
 */
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

export const S3_SERVER_PROGRAM = here('./s3-server.js');
export const COUNTER_SERVICE_PROGRAM = here('./counter-service.js');
