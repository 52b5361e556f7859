/** Turning TypeScript nodes into the report's repo-relative, 1-based locations. */
import path from 'node:path';
import ts from 'typescript';

/** A place in a source file. Paths are relative to the report's root, with `/` separators. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** The source line, without its indentation. */
  readonly snippet: string;
}

/** A path relative to `root` with `/` separators; absolute when outside the root. */
export function relativePath(root: string, fileName: string): string {
  const relative = path.relative(root, fileName);
  if (relative.startsWith('..') || path.isAbsolute(relative)) return fileName.split(path.sep).join('/');
  return relative.split(path.sep).join('/');
}

export function locationOf(node: ts.Node, root: string): SourceLocation {
  const sourceFile = node.getSourceFile();
  const start = ts.getLineAndCharacterOfPosition(sourceFile, node.getStart(sourceFile));
  const end = ts.getLineAndCharacterOfPosition(sourceFile, node.getEnd());
  const lineStarts = sourceFile.getLineStarts();
  const lineStart = lineStarts[start.line] ?? 0;
  const lineEnd = lineStarts[start.line + 1] ?? sourceFile.text.length;
  return {
    file: relativePath(root, sourceFile.fileName),
    line: start.line + 1,
    column: start.character + 1,
    endLine: end.line + 1,
    endColumn: end.character + 1,
    snippet: sourceFile.text.slice(lineStart, lineEnd).trim(),
  };
}
