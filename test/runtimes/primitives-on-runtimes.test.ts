import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
// @ts-expect-error: a plain .mjs project script, without type declarations
import { RUNTIMES, RuntimeUnavailableError, ensureRuntimes } from '../../scripts/install-runtimes.mjs';

// The primitives on every runtime we support: conformance.mjs (a focused, runtime-neutral script, not
// the vitest suite) on the Node running this test (20 in CI), and on Node 24 and 22, Bun and Deno as
// installed by scripts/install-runtimes.mjs into .runtimes/. Each run uses the runtime's own threads
// (worker_threads on Node, Web Workers on Bun and Deno) and ends on a wait that must keep the runtime
// alive by itself. Where the runtimes cannot be installed, the tests fail in CI and are skipped elsewhere.

interface Runtime {
  readonly name: string;
  readonly label: string;
  readonly version: string;
  readonly command: string;
  readonly args: readonly string[];
}

const script = fileURLToPath(new URL('./conformance.mjs', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const inCI = process.env['CI'] !== undefined && process.env['CI'] !== '' && process.env['CI'] !== 'false';
const RUN_TIMEOUT_MS = 90_000;

const hostNode: Runtime = { name: 'host', label: `Node ${process.versions.node.split('.')[0]!} (this one)`, version: process.versions.node, command: process.execPath, args: [] };
const installed = (RUNTIMES as Runtime[]).map((runtime) => runtime.name);
let runtimes: Map<string, Runtime> | undefined;
let unavailable: string | undefined;

beforeAll(async () => {
  try {
    runtimes = new Map(((await (ensureRuntimes as () => Promise<Runtime[]>)())).map((runtime) => [runtime.name, runtime]));
  } catch (error) {
    if (!(error instanceof (RuntimeUnavailableError as typeof Error))) throw error;
    unavailable = (error as Error).message;
  }
}, 300_000);

function run(runtime: Runtime): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      runtime.command,
      [...runtime.args, script],
      { cwd: repoRoot, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL', env: { ...process.env, NO_COLOR: '1', DENO_NO_UPDATE_CHECK: '1' } },
      (error, stdout, stderr) => resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr }),
    );
  });
}

async function expectConformance(runtime: Runtime): Promise<void> {
  const { code, stdout, stderr } = await run(runtime);
  const lines = stdout.trim().split('\n');
  const failed = lines.filter((line) => !line.startsWith('ok ') && !line.startsWith('done '));
  expect({ failed, stderr: stderr.trim(), code }, `${runtime.label} ${runtime.version}:\n${stdout}\n${stderr}`).toEqual({ failed: [], stderr: '', code: 0 });
  // Every check ran, and the last wait kept the runtime alive until its end.
  expect(lines.at(-1)).toMatch(/^done (\d+)\/\1$/);
}

describe('@lockstep/primitives on each runtime (test/runtimes/conformance.mjs)', () => {
  test(`on ${hostNode.label}`, async () => {
    await expectConformance(hostNode);
  }, RUN_TIMEOUT_MS + 10_000);

  for (const name of installed) {
    const pinned = (RUNTIMES as Runtime[]).find((runtime) => runtime.name === name)!;
    test(`on ${pinned.label} ${pinned.version}`, async ({ skip }) => {
      if (unavailable !== undefined) {
        const message = `the runtimes could not be installed: ${unavailable}`;
        if (inCI) throw new Error(`${message}. CI must run the runtime matrix (test/runtimes/).`);
        skip(`${message} (skipped outside CI; in CI this fails)`);
      }
      await expectConformance(runtimes!.get(name)!);
    }, RUN_TIMEOUT_MS + 10_000);
  }
});
