/**
 * `LOCKSTEP_VALIDATE_JSON=path` and `LOCKSTEP_VALIDATE_SARIF=path`: the import entry writes each
 * thread's findings there, as JSON or as SARIF, when
 * the thread exits: the main thread to `path`, a worker thread to `path` with `.thread-<id>` before
 * its extension (each thread has its own findings: the cycles it closed, whoever took their other
 * orders). `{pid}` in the path is replaced by the process id: a test runner that starts one process
 * per test file (`node --test`, vitest's forks pool) would otherwise have every process, and the
 * runner itself, write one file.
 */
import { nodeBuiltin } from '../internal/runtime.js';
import { currentThreadIdent } from '../internal/thread-context.js';
import { lockValidationReports } from './api.js';
import { formatLockValidationJson } from './format-json.js';
import { formatLockValidationSarif } from './format-sarif.js';

interface ProcessLike {
  readonly pid: number;
  on(event: 'exit', listener: () => void): void;
}

const FORMATS = { json: formatLockValidationJson, sarif: formatLockValidationSarif };

/** Writes this thread's findings to `path` (or its thread's variant) when the thread exits. */
export function writeReportsAtExit(path: string, root: string, format: keyof typeof FORMATS): void {
  const fs = nodeBuiltin<{ writeFileSync(path: string, text: string): void; mkdirSync(path: string, options: { recursive: true }): unknown }>('node:fs');
  const processObject = (globalThis as { readonly process?: ProcessLike }).process;
  if (fs === undefined || processObject === undefined) return;
  const ident = currentThreadIdent();
  const ofProcess = path.replaceAll('{pid}', String(processObject.pid));
  const file = ident === 0 ? ofProcess : ofProcess.replace(/(\.[^./\\]*)?$/, (extension) => `.thread-${ident}${extension}`);
  processObject.on('exit', () => {
    const directory = file.replace(/[\\/][^\\/]*$/, '');
    if (directory !== file && directory !== '') fs.mkdirSync(directory, { recursive: true });
    fs.writeFileSync(file, FORMATS[format](lockValidationReports(), root));
  });
}
