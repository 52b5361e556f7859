/**
 * Throw-away projects on disk for CLI tests. They live inside the repository (git-ignored) so that
 * `@lockstep/primitives` resolves from its node_modules as it would in a user's project.
 */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './run-cli.js';

const BASE = path.join(REPO_ROOT, 'packages/analyzer/test');

export function tempProject(files: Readonly<Record<string, string>>): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(BASE, '.tmp-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** Two files taking `first` and `second` in opposite orders: one lock-order cycle. */
export const INVERSION = {
  'locks.ts': `import { Lock } from '@lockstep/primitives';\nexport const first = new Lock();\nexport const second = new Lock();\n`,
  'one.ts': `import { first, second } from './locks.js';\nexport function one(): void {\n  using _a = first.hold();\n  using _b = second.hold();\n}\n`,
  'two.ts': `import { first, second } from './locks.js';\nexport function two(): void {\n  using _b = second.hold();\n  using _a = first.hold();\n}\n`,
};
