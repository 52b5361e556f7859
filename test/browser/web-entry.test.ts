import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

// The browser entry, checked without a browser: what it exports next to the Node entry, and that
// nothing it loads imports a Node built-in (a browser cannot load such a module, and bundlers fail
// on it or need shims).

const dist = fileURLToPath(new URL('../../packages/primitives/dist/', import.meta.url));
const entryUrl = (file: string): string => new URL(file, `file://${dist}`).href;

/** Every module the file statically imports, transitively: [module path, specifier] of each import. */
function staticImports(file: string, seen = new Set<string>()): Array<[string, string]> {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = fs.readFileSync(file, 'utf8');
  const found: Array<[string, string]> = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\s[^'"]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]/gm)) {
    const specifier = (match[1] ?? match[2])!;
    found.push([path.relative(dist, file), specifier]);
    if (specifier.startsWith('.')) found.push(...staticImports(path.resolve(path.dirname(file), specifier), seen));
  }
  return found;
}

describe('@lockstep/primitives/web', () => {
  test('exports what the Node entry does, with WebThread and workerData in place of Thread and registerWorker', async () => {
    const node = Object.keys((await import(entryUrl('index.js'))) as object);
    const web = Object.keys((await import(entryUrl('web.js'))) as object);
    expect(node.filter((name) => !web.includes(name)).sort()).toEqual(['Thread', 'registerWorker']);
    expect(web.filter((name) => !node.includes(name)).sort()).toEqual(['WebThread', 'workerData']);
  });

  test('what both entries export is one and the same value (Timer included: one class, in timer.js)', async () => {
    const node = (await import(entryUrl('index.js'))) as Record<string, unknown>;
    const web = (await import(entryUrl('web.js'))) as Record<string, unknown>;
    const shared = Object.keys(node).filter((name) => name in web);
    expect(shared).toContain('Timer');
    for (const name of shared) expect(web[name], name).toBe(node[name]);
  });

  test('neither it, nor its WebThread bootstrap, imports a Node built-in or a bare specifier', () => {
    for (const entry of ['web.js', 'web-thread-worker.js']) {
      const imports = staticImports(path.join(dist, entry));
      expect(imports.length, `${entry} imports something`).toBeGreaterThan(entry === 'web.js' ? 20 : 1);
      const outside = imports.filter(([, specifier]) => !specifier.startsWith('.'));
      expect(outside, entry).toEqual([]);
    }
  });

  test('package.json maps ./web, and the browser condition of ".", to it', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(dist, '../package.json'), 'utf8')) as { exports: Record<string, unknown> };
    const web = { types: './dist/web.d.ts', default: './dist/web.js' };
    expect(manifest.exports['./web']).toEqual(web);
    expect((manifest.exports['.'] as Record<string, unknown>)['browser']).toEqual(web);
    expect(import.meta.resolve('@lockstep/primitives/web')).toBe(entryUrl('web.js'));
  });
});
