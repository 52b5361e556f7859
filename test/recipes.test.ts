/**
 * Runs every recipe in fixtures/recipes as its own Node process (real worker threads, the built
 * `@lockstep/primitives`) and checks what it prints. The assertions are on counts and values the
 * primitives guarantee — exact totals, items seen exactly once, nobody inside a lock at once — never on
 * timing, so a slow machine passes and a broken primitive fails.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { RECIPES } from '../fixtures/recipes/run-all.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const recipesDir = fileURLToPath(new URL('../fixtures/recipes/', import.meta.url));
/** Only turns a hung recipe (a deadlock) into a failure with its output, well before vitest's own timeout. */
const KILL_AFTER_MS = 50_000;

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly lines: readonly string[];
}

function runRecipe(file: string): Promise<Run> {
  return new Promise((resolve) => {
    // tsx's loader, as `npx tsx <recipe>` would; resolved from the repo root, where tsx is installed.
    execFile(
      process.execPath,
      ['--import', 'tsx', `${recipesDir}${file}`],
      { cwd: root, timeout: KILL_AFTER_MS, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
        resolve({ code, signal: error?.signal ?? null, stdout, stderr, lines: stdout.split('\n') });
      },
    );
  });
}

/** Runs a recipe and checks what every recipe owes: a clean exit, every self-check ok, no thread died. */
async function runOk(file: string): Promise<Run> {
  const run = await runRecipe(file);
  const context = `${file}\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
  expect(run.code, context).toBe(0);
  expect(run.stderr, context).not.toMatch(/Exception in thread|Error/);
  const checks = run.lines.filter((line) => line.startsWith('check: '));
  expect(checks.length, context).toBeGreaterThan(0);
  for (const line of checks) expect(line, context).toMatch(/: ok$/);
  return run;
}

/** The captures of the one line matching `pattern`; fails if none or several match. */
function only(run: Run, pattern: RegExp): string[] {
  const matches = run.lines.map((line) => pattern.exec(line)).filter((match) => match !== null);
  expect(matches, `exactly one line matching ${pattern}\n${run.stdout}`).toHaveLength(1);
  return matches[0]!.slice(1);
}

/** The captures of every line matching `pattern`. */
function all(run: Run, pattern: RegExp): string[][] {
  return run.lines.map((line) => pattern.exec(line)).filter((match) => match !== null).map((match) => match.slice(1));
}

const numbers = (text: string): number[] => text.trim().split(/\s+/).map(Number);

const expectations: Record<string, (run: Run) => void> = {
  'threads-with-names.ts': (run) => {
    only(run, /^MainThread starts 3 named threads$/);
    const idents = new Set<string>();
    for (const name of ['function_A', 'function_B', 'function_C']) {
      // The worker finds its own name and ident through currentThread(); the main thread never sends them.
      const [insideIdent] = only(run, new RegExp(`^${name} --> starting \\(ident (\\d+)\\)$`));
      const [outsideIdent] = only(run, new RegExp(`^started ${name} \\(ident (\\d+), alive true\\)$`));
      expect(insideIdent).toBe(outsideIdent);
      idents.add(insideIdent!);
      only(run, new RegExp(`^${name} --> exiting$`));
      only(run, new RegExp(`^joined ${name} \\(alive false\\)$`));
    }
    expect(idents.size).toBe(3);
  },

  'shared-counter.ts': (run) => {
    const [unguarded, unguardedExpected, unguardedLost] = only(run, /^without a lock: total (\d+) of (\d+) expected, (\d+) updates lost$/).map(Number);
    const [guarded, guardedExpected, guardedLost] = only(run, /^with a Lock: total (\d+) of (\d+) expected, (\d+) updates lost$/).map(Number);
    expect(guardedExpected).toBe(4 * 100_000);
    expect(unguardedExpected).toBe(4 * 100_000);
    expect(guarded).toBe(4 * 100_000);
    expect(guardedLost).toBe(0);
    // The race itself: plain read-work-write from four threads started together loses updates.
    expect(unguarded).toBeLessThan(4 * 100_000);
    expect(unguardedLost).toBe(4 * 100_000 - unguarded!);
  },

  'rlock-box.ts': (run) => {
    only(run, /^taken again by its holder: Lock false, RLock true$/);
    only(run, /^adder: added 20000 items$/);
    only(run, /^remover: removed 15000 items$/);
    const [remaining] = only(run, /^(-?\d+) items still remain in the box \(expected 5000\)$/).map(Number);
    expect(remaining).toBe(5000);
  },

  'semaphore-producer-consumer.ts': (run) => {
    const produced = numbers(only(run, /^produced: (.*)$/)[0]!);
    const consumed = numbers(only(run, /^consumed: (.*)$/)[0]!);
    expect(produced).toHaveLength(5);
    for (const item of produced) expect(item).toBeGreaterThanOrEqual(0);
    expect(consumed).toEqual(produced);
    expect(all(run, /^producer notify: produced item number (\d+)$/).map(([n]) => Number(n))).toEqual(produced);
    expect(all(run, /^consumer notify: consumed item number (\d+)$/).map(([n]) => Number(n))).toEqual(produced);
  },

  'condition-producer-consumer.ts': (run) => {
    only(run, /^items consumed exactly once: 200 of 200 \(more than once: 0, never: 0\)$/);
    const [most] = only(run, /^the buffer held at most (\d+) items \(capacity 10\)$/).map(Number);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(10);
    expect(all(run, /^producer-\d: produced (\d+) items/).map(([n]) => Number(n))).toEqual([100, 100]);
    const perConsumer = all(run, /^consumer-\d: consumed (\d+) items/).map(([n]) => Number(n));
    expect(perConsumer).toHaveLength(2);
    expect(perConsumer.reduce((a, b) => a + b, 0)).toBe(200);
  },

  'event-producer-consumer.ts': (run) => {
    const produced = numbers(only(run, /^produced: (.*)$/)[0]!);
    const received = numbers(only(run, /^received: (.*)$/)[0]!);
    expect(produced).toHaveLength(5);
    for (const item of produced) expect(item).toBeGreaterThanOrEqual(0);
    expect(received).toEqual(produced);
    expect(all(run, /^consumer notify: (\d+) popped, event cleared$/).map(([n]) => Number(n))).toEqual(produced);
    only(run, /^main: done event seen \(isSet true\)$/);
  },

  'queue-producer-consumer.ts': (run) => {
    only(run, /^producer: put 300 items$/);
    only(run, /^main: joinAsync\(\) returned after 300 of 300 items were done$/);
    only(run, /^items consumed exactly once: 300 of 300 \(more than once: 0, never: 0\)$/);
    const perConsumer = all(run, /^consumer-(\d): consumed (\d+) items$/);
    expect(perConsumer.map(([name]) => name).sort()).toEqual(['1', '2', '3']);
    expect(perConsumer.reduce((sum, [, n]) => sum + Number(n), 0)).toBe(300);
  },

  'using-statement.ts': (run) => {
    for (const kind of ['Lock', 'RLock', 'Condition', 'Semaphore']) {
      only(run, new RegExp(`^\\(with-${kind}\\) ${kind} acquired via using$`));
      only(run, new RegExp(`^\\(not-with-${kind}\\) ${kind} acquired directly$`));
      only(run, new RegExp(`^\\(MainThread\\) ${kind} acquired via await using$`));
      only(run, new RegExp(`^${kind}: overlapping holders 0, free afterwards true, released after a throw inside await using true$`));
    }
  },

  'dining-philosophers.ts': (run) => {
    const meals = only(run, /^meals eaten: (.*)$/)[0]!;
    expect(meals).toBe([0, 1, 2, 3, 4].map((seat) => `philosopher ${seat}: 20`).join(', '));
    const [most, conflicts] = only(run, /^at most (\d+) ate at once \(5 forks allow 2\); fork conflicts: (\d+)$/).map(Number);
    expect(most).toBeGreaterThanOrEqual(1);
    expect(most).toBeLessThanOrEqual(2);
    expect(conflicts).toBe(0);
    expect(all(run, /^philosopher (\d) is full$/).map(([seat]) => seat).sort()).toEqual(['0', '1', '2', '3', '4']);
  },
};

describe('recipes', () => {
  test('run-all lists every recipe in fixtures/recipes, and this test checks each', () => {
    const files = readdirSync(recipesDir).filter((file) => file.endsWith('.ts') && file !== 'run-all.ts').sort();
    expect(RECIPES.map((recipe) => recipe.file).sort()).toEqual(files);
    expect(Object.keys(expectations).sort()).toEqual(files);
  });

  for (const { file, title } of RECIPES) {
    test(`${file}: ${title}`, async () => {
      const run = await runOk(file);
      expectations[file]!(run);
    });
  }
});
