#!/usr/bin/env node
/**
 * Makes sure headless Chromium is here for the browser tests (test/browser/): Debian's
 * `chromium-headless-shell` package, installed with apt-get when its binary is missing (as root, which
 * sessions and CI are; `sudo` is not tried). `node scripts/install-browser.mjs` installs it and prints
 * the binary's path; the browser test calls {@link ensureChromium} itself, so `pnpm test` needs no
 * step before it. Set `LOCKSTEP_CHROMIUM` to use another Chromium binary instead (nothing is installed).
 *
 * Puppeteer drives it (`puppeteer-core`, a devDependency: plain `puppeteer` would download a browser of
 * its own, which these machines cannot reach).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CHROMIUM_PACKAGE = 'chromium-headless-shell';
export const CHROMIUM_BINARY = '/usr/bin/chromium-headless-shell';

/** Why Chromium is not usable here, when it is not; the caller decides whether that fails or skips. */
export class ChromiumUnavailableError extends Error {
  name = 'ChromiumUnavailableError';
}

function onPath(command) {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * The Chromium binary to launch, installing Debian's package first when it is missing.
 * @param {{ log?: (line: string) => void }} [options]
 * @returns {string} the binary's path
 * @throws {ChromiumUnavailableError} when it is missing and cannot be installed (no apt-get, not root,
 * or the install failed), with what to do in the message
 */
export function ensureChromium({ log = (line) => console.error(line) } = {}) {
  const override = process.env['LOCKSTEP_CHROMIUM'];
  if (override !== undefined && override !== '') {
    if (!fs.existsSync(override)) throw new ChromiumUnavailableError(`LOCKSTEP_CHROMIUM=${override} does not exist`);
    return override;
  }
  if (fs.existsSync(CHROMIUM_BINARY)) return CHROMIUM_BINARY;
  const manual = `install it (Debian: apt-get update && apt-get install -y ${CHROMIUM_PACKAGE}) or set LOCKSTEP_CHROMIUM to a Chromium binary`;
  if (process.platform !== 'linux' || !onPath('apt-get')) {
    throw new ChromiumUnavailableError(`${CHROMIUM_BINARY} is missing and this machine has no apt-get: ${manual}`);
  }
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new ChromiumUnavailableError(`${CHROMIUM_BINARY} is missing and installing it needs root: ${manual}`);
  }
  log(`installing ${CHROMIUM_PACKAGE} with apt-get (about a minute)…`);
  const started = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', CHROMIUM_PACKAGE], { stdio: ['ignore', 'ignore', 'pipe'], env });
  } catch (error) {
    const stderr = error?.stderr?.toString().trim() ?? '';
    throw new ChromiumUnavailableError(`apt-get could not install ${CHROMIUM_PACKAGE}: ${stderr || String(error)}; ${manual}`);
  }
  if (!fs.existsSync(CHROMIUM_BINARY)) {
    throw new ChromiumUnavailableError(`${CHROMIUM_PACKAGE} installed, but ${CHROMIUM_BINARY} is not there`);
  }
  log(`installed ${CHROMIUM_PACKAGE} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return CHROMIUM_BINARY;
}

/**
 * Flags for a headless Chromium as root on a machine with no network but loopback: no sandbox (root),
 * no GPU, and none of the background connections that would be refused.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === fs.realpathSync(process.argv[1])) {
  try {
    console.log(ensureChromium());
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
