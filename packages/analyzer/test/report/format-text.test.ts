import { describe, expect, test } from 'vitest';
import { printable, sarifText } from '../../src/report/escape-text.js';
import { formatText } from '../../src/report/format-text.js';
import type { Finding, Report } from '../../src/report/report-model.js';
import { CYCLE_2, CYCLE_3, ID, LOCKS, SELF, cleanReport, sampleReport } from './sample-report.js';

// eslint-disable-next-line no-control-regex -- looking for ANSI escapes is the point
const ANSI = /\u001b\[/;
// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');

const plain = (report: Report = sampleReport()): string => formatText(report, { color: false });

/** The lines of one finding's block: from its `[i/n]` header to the next rule line. */
function block(text: string, finding: Finding, report: Report = sampleReport()): string {
  const index = report.findings.indexOf(finding);
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(`[${index + 1}/${report.findings.length}]`));
  const end = lines.findIndex((line, i) => i > start + 1 && /^=+$/.test(line));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

/** The scenario table of a block, each line with its trailing spaces trimmed. */
function scenario(text: string): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.includes('Possible unsafe locking scenario'));
  const end = lines.findIndex((line, i) => i > start && line.includes('*** DEADLOCK ***'));
  return lines.slice(start + 2, end + 1).filter((line) => line.trim() !== '');
}

describe('formatText', () => {
  test('each finding gets a lockdep-like header naming its cycle', () => {
    const text = plain();
    expect(text).toContain('WARNING: possible circular locking dependency: accountsLock → Ledger.lock → accountsLock');
    expect(text).toContain(`WARNING: possible circular dependency through a semaphore: poolSlots → queueLock → Worker.lock (${ID.worker}) → poolSlots`);
    expect(text).toContain('WARNING: possible self-deadlock: cacheLock re-acquired while held');
    expect(text).toContain(CYCLE_2.message);
  });

  test('both acquisition sites of every edge as file:line:col with their source lines', () => {
    const text = block(plain(), CYCLE_2);
    expect(text).toContain('#1 Ledger.lock taken while accountsLock is held (1 other witness):');
    expect(text).toContain('  accountsLock taken in transfer (acquire)\n    at src/bank.ts:12:5\n    | await accountsLock.acquire();');
    expect(text).toContain('  then Ledger.lock taken in Ledger.append (runExclusive)\n    at src/ledger.ts:31:7\n    | await this.lock.runExclusive(async () => {');
    expect(text).toContain('#2 accountsLock taken while Ledger.lock is held:');
    expect(text).toContain('  Ledger.lock taken in Ledger.reconcile (using)\n    at src/ledger.ts:44:5\n    | using _held = await this.lock.hold();');
    expect(text).toContain('  then accountsLock taken in refreshBalances (acquire)\n    at src/bank.ts:27:3\n    | await accountsLock.acquire();');
  });

  test('the call chain behind the second acquisition, call by call', () => {
    const text = block(plain(), CYCLE_2);
    expect(text).toContain(
      [
        '    call chain:',
        '      transfer → audit at src/bank.ts:15:11',
        '        | await audit(entry);',
        '      audit → Ledger.append at src/audit.ts:8:3',
        '        | await ledger.append(entry);',
      ].join('\n'),
    );
    expect(text).toContain('      Ledger.reconcile → refreshBalances at src/ledger.ts:46:11');
  });

  test('a two-lock cycle: the classic two-context scenario', () => {
    expect(scenario(block(plain(), CYCLE_2))).toEqual([
      '    context 1             context 2',
      '    ---------             ---------',
      '    lock(accountsLock)',
      '                          lock(Ledger.lock)',
      '    lock(Ledger.lock)',
      '                          lock(accountsLock)',
      '   *** DEADLOCK ***',
    ]);
  });

  test('a three-lock cycle: one context per edge, semaphores acquired rather than locked', () => {
    const table = scenario(block(plain(), CYCLE_3));
    expect(table[0]).toMatch(/^ {4}context 1 +context 2 +context 3$/);
    // Each operation starts where its context's header does.
    const starts = ['context 1', 'context 2', 'context 3'].map((header) => table[0]?.indexOf(header));
    const cells = table.slice(2, -1).map((line) => ({ column: starts.indexOf(line.length - line.trimStart().length), op: line.trim() }));
    expect(cells).toEqual([
      { column: 0, op: 'acquire(poolSlots)' },
      { column: 1, op: 'lock(queueLock)' },
      { column: 2, op: `lock(Worker.lock (${ID.worker}))` },
      { column: 0, op: 'lock(queueLock)' },
      { column: 1, op: `lock(Worker.lock (${ID.worker}))` },
      { column: 2, op: 'acquire(poolSlots)' },
    ]);
    expect(block(plain(), CYCLE_3)).toContain('as many contexts as it has permits');
  });

  test('a self-deadlock: a single context taking its lock twice', () => {
    const text = block(plain(), SELF);
    expect(scenario(text)).toEqual(['    context 1', '    ---------', '    lock(cacheLock)', '    lock(cacheLock)', '   *** DEADLOCK ***']);
    expect(text).toContain('#1 cacheLock taken again while already held:');
    expect(text).toContain('      refresh → load at legacy/cache.js:7:3');
  });

  test('guessed findings say so, the others do not', () => {
    const note = 'note: recognised by name only, no type information';
    expect(block(plain(), SELF)).toContain(note);
    expect(block(plain(), SELF)).toContain('cacheLock taken in refresh (acquire, by name only)');
    expect(block(plain(), CYCLE_2)).not.toContain(note);
    expect(plain().split(note)).toHaveLength(2);
  });

  test('names, never ids, except to tell apart two locks with the same name', () => {
    const text = plain();
    for (const lock of LOCKS) {
      if (lock.id === ID.worker) continue;
      expect(text).not.toContain(lock.id);
    }
    // Worker.lock in src/jobs and in src/legacy: the one on the cycle is shown with its id.
    expect(text).toContain(`Worker.lock (${ID.worker}) taken while queueLock is held`);
  });

  test('input errors, then a summary line with every count', () => {
    const text = plain();
    expect(text).toContain("2 input errors:\n  src/broken.ts:3:14: error: ';' expected. (parse)\n  src/gone: error: No such file or directory. (missing-path)");
    const last = text.trimEnd().split('\n').at(-1);
    expect(last).toBe(
      'lockstep: 3 findings (1 lock-order cycle, 1 semaphore cycle, 1 self-deadlock) in 10 files analysed, 9 locks recognised (6 lockstep, 2 async-mutex, 1 guessed by name), 31 lock operations; 10 locks in 10 lock-order edges; ' +
        '1 gated cycle and 1 baselined finding suppressed; 2 input errors',
    );
    expect(text.endsWith('\n')).toBe(true);
  });

  test('no finding: a clear summary and nothing else', () => {
    expect(plain(cleanReport())).toBe(
      'lockstep: no lock-order problems found (10 files analysed, 9 locks recognised (6 lockstep, 2 async-mutex, 1 guessed by name), 31 lock operations; 10 locks in 10 lock-order edges; 0 gated cycles and 0 baselined findings suppressed)\n',
    );
  });

  test('no ANSI codes without colour; some with, and the same text underneath', () => {
    expect(plain()).not.toMatch(ANSI);
    expect(plain(cleanReport())).not.toMatch(ANSI);
    const coloured = formatText(sampleReport(), { color: true });
    expect(coloured).toMatch(ANSI);
    expect(stripAnsi(coloured)).toBe(plain());
  });

  test('control characters from the analysed code are shown escaped, never sent to the terminal', () => {
    const evil = 'web-lock:\u001b[2Jevil';
    const report = sampleReport({
      locks: [...LOCKS, { id: evil, name: 'navigator.locks "\u001b[31mred\u001b[0m"', flavor: 'mutex', source: 'web-locks' }],
      findings: [{ ...SELF, locks: [evil], steps: SELF.steps.map((s) => ({ ...s, from: evil, to: evil })) }],
    });
    const text = plain(report);
    expect(text).not.toMatch(ANSI);
    expect(text).toContain('navigator.locks "\\x1b[31mred\\x1b[0m" re-acquired while held');
  });
});

describe('printable', () => {
  test('escapes C0, DEL, C1 and invisible reordering characters, keeps tabs and ordinary text', () => {
    expect(printable('a\u001b[2Jb')).toBe('a\\x1b[2Jb');
    expect(printable('\u0000\u0007\n\r\u007f\u0085\u009b')).toBe('\\x00\\x07\\x0a\\x0d\\x7f\\x85\\x9b');
    expect(printable('\u202eevil\u2066\u2028')).toBe('\\u202eevil\\u2066\\u2028');
    expect(printable('tab\there, ünïcödé, 日本')).toBe('tab\there, ünïcödé, 日本');
  });

  test('sarifText escapes the embedded-link syntax of SARIF messages', () => {
    expect(sarifText('navigator.locks "[x](https://evil)" \\ ok')).toBe('navigator.locks "\\[x\\](https://evil)" \\\\ ok');
  });
});
