/**
 * A real TypeScript program over source text held in memory: the files live under a directory of this
 * package, so `@lockstep/primitives`, `async-mutex` and `await-lock` resolve from the repository's
 * node_modules exactly as on disk, and nothing is written.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { analyzeProgram, type ProgramAnalysis } from '../../src/analyze-program.js';
import type { LockTypeConfig } from '../../src/config/config-model.js';

const here = path.dirname(fileURLToPath(import.meta.url));
export const VIRTUAL_ROOT = path.join(here, '__virtual__');

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2024.d.ts', 'lib.esnext.disposable.d.ts'],
  strict: true,
  allowJs: true,
  checkJs: false,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
};

export function virtualProgram(files: Readonly<Record<string, string>>): { program: ts.Program; sources: ts.SourceFile[] } {
  const texts = new Map(Object.entries(files).map(([name, text]) => [path.join(VIRTUAL_ROOT, name), text]));
  // The virtual directory is a module scope of its own ("type": "module"), like the fixtures.
  texts.set(path.join(VIRTUAL_ROOT, 'package.json'), '{ "type": "module" }');
  const host = ts.createCompilerHost(OPTIONS, true);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => texts.get(path.resolve(name)) ?? readFile(name);
  host.fileExists = (name) => texts.has(path.resolve(name)) || fileExists(name);
  const directoryExists = host.directoryExists?.bind(host);
  host.directoryExists = (name) => path.resolve(name) === VIRTUAL_ROOT || (directoryExists?.(name) ?? false);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) => {
    const text = texts.get(path.resolve(name));
    return text === undefined ? getSourceFile(name, language, onError, create) : ts.createSourceFile(name, text, language, true);
  };
  const roots = [...texts.keys()].filter((name) => /\.[cm]?[jt]s$/.test(name));
  const program = ts.createProgram(roots, OPTIONS, host);
  const sources = roots.map((name) => program.getSourceFile(name)!);
  return { program, sources };
}

export interface Analysed extends ProgramAnalysis {
  /** Edges as `from -> to` with lock names. */
  readonly edgeNames: string[];
  /** Findings as `kind: a, b` with lock names in cycle order. */
  readonly findingNames: string[];
}

export function analyseSources(files: Readonly<Record<string, string>>, lockTypes: readonly LockTypeConfig[] = []): Analysed {
  const { program, sources } = virtualProgram(files);
  const analysis = analyzeProgram({ program, files: sources, root: VIRTUAL_ROOT, config: { lockTypes, nameFallback: true } });
  const name = (id: string) => analysis.locks.get(id)?.name ?? id;
  return {
    ...analysis,
    edgeNames: analysis.graph.edges().map((edge) => `${name(edge.from)} -> ${name(edge.to)}`),
    findingNames: analysis.findings.map((finding) => `${finding.kind}: ${finding.locks.map(name).join(', ')}`),
  };
}
