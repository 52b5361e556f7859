import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs project script, without type declarations
import { CHROMIUM_ARGS, ChromiumUnavailableError, ensureChromium } from '../../scripts/install-browser.mjs';
import { startServer, type StaticServer } from './server.js';

// @lockstep/primitives in headless Chromium: the build in packages/primitives/dist, loaded unbundled
// by a cross-origin-isolated page (COOP/COEP from a local server), its main thread against module Web
// Workers started with WebThread. The checks live in page/conformance.js (main thread, async forms) and
// page/worker.js (workers, blocking forms); each vitest test below runs one of them by name.
//
// Chromium is Debian's chromium-headless-shell, installed by scripts/install-browser.mjs when missing.
// Where it cannot be installed, the tests fail in CI (CI=true) and are skipped elsewhere, saying why.

const pageDir = new URL('./page/', import.meta.url);
const distEntry = new URL('../../packages/primitives/dist/web.js', import.meta.url);
/** The checks' names, read from the page's source so the list has one home. */
const checkNames = [...fs.readFileSync(new URL('conformance.js', pageDir), 'utf8').matchAll(/^ {2}async '([^']+)'\(\)/gm)].map((m) => m[1]!);
const inCI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';
const CHECK_TIMEOUT_MS = 45_000;
/**
 * Checks that fail today for a known reason, run as `test.fails` (strict: once fixed they fail, so
 * remove them from here). Keep this empty but for bugs that have an owner.
 */
const KNOWN_FAILURES: Record<string, string> = {};

let unavailable: string | undefined;
let server: StaticServer | undefined;
let browser: Browser | undefined;
let page: Page | undefined;
let userDataDir: string | undefined;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(distEntry)) throw new Error('packages/primitives/dist/web.js is missing: run `pnpm build` (tsc -b) first');
  let executablePath: string;
  try {
    executablePath = (ensureChromium as () => string)();
  } catch (error) {
    if (!(error instanceof (ChromiumUnavailableError as typeof Error))) throw error;
    unavailable = (error as Error).message;
    return;
  }
  server = await startServer();
  browser = await puppeteer.launch({
    executablePath,
    headless: 'shell',
    args: CHROMIUM_ARGS as string[],
    userDataDir: (userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lockstep-chromium-'))),
  });
  page = await browser.newPage();
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(message.text());
  });
  await page.goto(`${server.origin}/index.html`);
  await page.waitForFunction(() => 'lockstep' in globalThis, { timeout: 20_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (userDataDir !== undefined) fs.rmSync(userDataDir, { recursive: true, force: true });
});

function requireBrowser(skip: (note: string) => never): Page {
  if (unavailable !== undefined) {
    const message = `headless Chromium is not available: ${unavailable}`;
    if (inCI) throw new Error(`${message}. CI must run the browser test (test/browser/).`);
    skip(`${message} (skipped outside CI; in CI this fails)`);
  }
  return page!;
}

describe('@lockstep/primitives in headless Chromium, across module Web Workers', () => {
  test('the page defines exactly the checks this file runs', async ({ skip }) => {
    const names = await requireBrowser(skip).evaluate(() => (globalThis as unknown as { lockstep: { names: string[] } }).lockstep.names);
    expect(names).toEqual(checkNames);
    expect(checkNames.length).toBeGreaterThan(10);
  });

  for (const name of checkNames) {
    const known = KNOWN_FAILURES[name];
    (known === undefined ? test : test.fails)(known === undefined ? name : `${name} [known failure: ${known}]`, async ({ skip }) => {
      const result = await requireBrowser(skip).evaluate(
        (check, timeout) => {
          const lockstep = (globalThis as unknown as { lockstep: { run(name: string): Promise<{ ok: boolean; error?: string }> } }).lockstep;
          return Promise.race([
            lockstep.run(check),
            new Promise<{ ok: boolean; error: string }>((resolve) => setTimeout(() => resolve({ ok: false, error: `no result within ${timeout} ms` }), timeout)),
          ]);
        },
        name,
        CHECK_TIMEOUT_MS,
      );
      expect(result, result.error).toEqual({ ok: true });
    }, CHECK_TIMEOUT_MS + 15_000);
  }

  test('nothing went uncaught in the page or its workers', ({ skip }) => {
    requireBrowser(skip);
    expect(pageErrors).toEqual([]);
  });
});
