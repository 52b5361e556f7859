import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A static server on 127.0.0.1 for the browser test: `/dist/…` is `packages/primitives/dist` (the
 * build the test loads, unbundled), everything else is `test/browser/page/`. Every response carries
 * the two headers that make a page cross-origin isolated, and so give it `SharedArrayBuffer`:
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp` (the
 * worker scripts need COEP too).
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const roots = {
  /** `LOCKSTEP_BROWSER_DIST`: another build to serve, for trying one out. */
  dist: path.resolve(process.env['LOCKSTEP_BROWSER_DIST'] ?? path.join(repoRoot, 'packages/primitives/dist')),
  page: path.join(repoRoot, 'test/browser/page'),
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
} as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

function fileFor(urlPath: string): string | undefined {
  const decoded = decodeURIComponent(urlPath);
  const [root, rest] = decoded.startsWith('/dist/') ? [roots.dist, decoded.slice('/dist/'.length)] : [roots.page, decoded.slice(1) || 'index.html'];
  const file = path.resolve(root, rest);
  return file.startsWith(root + path.sep) ? file : undefined;
}

export interface StaticServer {
  readonly origin: string;
  close(): Promise<void>;
}

export async function startServer(): Promise<StaticServer> {
  const server = http.createServer((request, response) => {
    const file = request.method === 'GET' ? fileFor(new URL(request.url ?? '/', 'http://localhost').pathname) : undefined;
    const headers = { ...ISOLATION_HEADERS, 'Cache-Control': 'no-store' };
    if (file === undefined) {
      response.writeHead(404, headers).end();
      return;
    }
    fs.readFile(file).then(
      (body) => response.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(body),
      () => response.writeHead(404, headers).end(),
    );
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
