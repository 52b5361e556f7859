/** The package's version, read from its package.json so it cannot drift from what npm publishes. */
import { readFileSync } from 'node:fs';

const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

export const LOCKSTEP_VERSION: string = manifest.version;

/**
 * Base of the user docs for this version (`analyzer.md`, `rules/<id>.md` under it). Pinned to the
 * release tag, so a report or a lint message links to the docs of the version that produced it, not to
 * whatever `main` says later.
 */
export const LOCKSTEP_DOCS_URL = `https://github.com/lockstep/lockstep/blob/v${LOCKSTEP_VERSION}/docs/`;
