import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** The bench/ directory, whether this runs compiled (bench/.build/js/lib) or from source (bench/lib). */
export const BENCH_DIR = here.split(/[\\/]/).slice(-3).join('/') === '.build/js/lib' ? resolve(here, '../../..') : resolve(here, '..');

/** Where `pnpm bench` puts what it builds (compiled benchmarks, the native program); git-ignored. */
export const BUILD_DIR = resolve(BENCH_DIR, '.build');
