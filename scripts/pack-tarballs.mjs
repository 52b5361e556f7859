#!/usr/bin/env node
/**
 * Packs the three packages into npm tarballs: `pnpm pack-tarballs [dir]` (default: ./tarballs).
 * pnpm, not npm, packs them, because only pnpm turns the plugin's `workspace:*` dependency on the
 * analyzer into the version number an npm install of the tarballs can satisfy. Prints the tarball paths,
 * one per line; the build (`tsc -b`) must have run, as the package script does first.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
export const PACKAGES = ['primitives', 'analyzer', 'eslint-plugin'];

/** The pnpm that runs this script when it runs under pnpm, otherwise pnpm 10 through npx. */
function pnpmCommand() {
  const execPath = process.env['npm_execpath'];
  if (execPath !== undefined && /pnpm/.test(path.basename(execPath))) return [process.execPath, [execPath]];
  return [process.platform === 'win32' ? 'npx.cmd' : 'npx', ['-y', 'pnpm@10']];
}

/** Packs every package into `destination` and returns the tarballs' absolute paths. */
export function packTarballs(destination) {
  fs.mkdirSync(destination, { recursive: true });
  const [command, prefix] = pnpmCommand();
  return PACKAGES.map((name) => {
    const dir = path.join(root, 'packages', name);
    for (const built of ['dist/index.js', 'dist/index.d.ts']) {
      if (!fs.existsSync(path.join(dir, built))) throw new Error(`packages/${name}/${built} is missing: run \`pnpm build\` first`);
    }
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
    execFileSync(command, [...prefix, 'pack', '--pack-destination', destination], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
    const file = path.join(destination, `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`);
    if (!fs.existsSync(file)) throw new Error(`pnpm pack did not write ${file}`);
    return file;
  });
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const destination = path.resolve(process.argv[2] ?? path.join(root, 'tarballs'));
  for (const file of packTarballs(destination)) console.log(file);
}
