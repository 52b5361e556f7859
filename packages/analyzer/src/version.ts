/** The package's version, read from its package.json so it cannot drift from what npm publishes. */
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const LOCKSTEP_VERSION: string = manifest.version;
