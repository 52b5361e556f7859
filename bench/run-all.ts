/**
 * `pnpm bench`: runs every benchmark, each in its own process (so one's JIT state, heap and workers
 * never affect the next), after a header describing the machine.
 *
 *   pnpm bench                    every benchmark, median of 5 runs per figure (BENCH_RUNS=n to change)
 *   pnpm bench --quick            every benchmark once, briefly (BENCH_QUICK=1 does the same)
 *   pnpm bench contended queue    only the benchmarks whose file name contains one of the words
 *   pnpm bench analyzer           only the analyzer benchmark (lockstep vs tsc; about 27 minutes on 2 cores, 1.5 with --quick)
 *   pnpm bench eslint             only the ESLint plugin's overhead on typescript-eslint (about 25 minutes, 2.5 with --quick)
 *   pnpm bench real-world         only both tools on published packages, every finding against its hand label (real-world.ts)
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { QUICK, RUNS } from './lib/report.js';

const BENCHMARKS = ['uncontended-lock', 'validator', 'contended-counter', 'contended-read-heavy', 'queue-throughput', 'queue-round-trip', 'item-codec', 'multithread-scaling', 'analyzer-vs-tsc', 'eslint-plugin-overhead', 'real-world'];
/**
 * Minutes a benchmark may run before it is stopped (full, quick): the analyzer's type-checks 20 000 files
 * several times; the ESLint one lints with type information up to 5 000 files, twice per run; the
 * real-world one installs its packages from the npm registry on its first run.
 */
const TIMEOUT_MINUTES: Readonly<Record<string, readonly [number, number]>> = { 'analyzer-vs-tsc': [60, 20], 'eslint-plugin-overhead': [60, 15], 'real-world': [20, 20] };

const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const selected = BENCHMARKS.filter((name) => filters.length === 0 || filters.some((f) => name.includes(f)));
if (selected.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}; there are: ${BENCHMARKS.join(', ')}`);
  process.exit(2);
}

/** Fraction of all cores' time spent busy over `ms`: what else is running before we start. */
async function busyFraction(ms: number): Promise<number> {
  const sample = (): { idle: number; total: number } =>
    cpus().reduce(
      (acc, { times }) => ({ idle: acc.idle + times.idle, total: acc.total + times.user + times.nice + times.sys + times.irq + times.idle }),
      { idle: 0, total: 0 },
    );
  const before = sample();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = sample();
  return after.total === before.total ? 0 : 1 - (after.idle - before.idle) / (after.total - before.total);
}

const busy = await busyFraction(1000);
console.log(`# Lockstep benchmarks

- date: ${new Date().toISOString()}
- node ${process.versions.node} (V8 ${process.versions.v8}), ${process.platform}/${process.arch}
- CPU: ${cpus()[0]?.model.trim() ?? 'unknown'}, ${availableParallelism()} cores
- CPU busy in the second before starting: ${(busy * 100).toFixed(0)}% of all cores (load average ${loadavg().map((l) => l.toFixed(2)).join(' ')})
- mode: ${QUICK ? 'quick (each figure from 1 brief run)' : `full (each figure the median of ${RUNS} runs)`}`);
if (busy > 0.1) {
  console.log(`- WARNING: the machine was busy before starting (${(busy * 100).toFixed(0)}% of ${availableParallelism()} cores): other work competes with the benchmarks and the figures suffer`);
}

const started = performance.now();
const summary: string[] = [];
let failed = 0;
for (const name of selected) {
  const file = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  const t0 = performance.now();
  // A benchmark that hangs (a lost wake-up, say) is stopped and reported, not waited for forever.
  const { status, signal } = spawnSync(process.execPath, [file, ...(QUICK ? ['--quick'] : [])], {
    stdio: 'inherit',
    timeout: (TIMEOUT_MINUTES[name]?.[QUICK ? 1 : 0] ?? (QUICK ? 2 : 5)) * 60_000,
    killSignal: 'SIGKILL',
  });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  const ok = status === 0;
  if (!ok) failed++;
  summary.push(`- ${name}: ${ok ? 'ok' : `FAILED (${signal ?? `exit ${status}`})`}, ${seconds} s`);
}
summary.push(`- total: ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`\n## Summary\n\n${summary.join('\n')}`);
process.exitCode = failed === 0 ? 0 : 1;
