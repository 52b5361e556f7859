/**
 * The plugin's name and version, read from its package.json at run time rather than imported, so
 * dist/ needs no copy of package.json and neither can drift from what npm publishes.
 */
import { createRequire } from 'node:module';

const manifest = createRequire(import.meta.url)('../package.json') as { name: string; version: string };

/** The npm package name: `@lockstep/eslint-plugin`. */
export const PACKAGE_NAME: string = manifest.name;

/** The package version; rule docs URLs are pinned to its release tag. */
export const PACKAGE_VERSION: string = manifest.version;
