/**
 * Which package a file belongs to: the `name` of the nearest package.json at or above it. Lock types
 * are matched by the package that declares them, so a user's own class called `Mutex` is never taken
 * for async-mutex's.
 */
import fs from 'node:fs';
import path from 'node:path';

// Directories are few (one per folder holding declarations); the cache lives as long as the process.
const packageOfDirectory = new Map<string, string | null>();

/** The package `fileName` belongs to, or undefined when no package.json with a name is above it. */
export function packageNameOf(fileName: string): string | undefined {
  return packageOfDirectoryNamed(path.dirname(path.resolve(fileName)));
}

function packageOfDirectoryNamed(directory: string): string | undefined {
  const cached = packageOfDirectory.get(directory);
  if (cached !== undefined) return cached ?? undefined;
  let name: string | null;
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(directory, 'package.json'), 'utf8')) as { name?: unknown };
    name = typeof manifest.name === 'string' ? manifest.name : null;
  } catch {
    const parent = path.dirname(directory);
    name = parent === directory ? null : (packageOfDirectoryNamed(parent) ?? null);
  }
  packageOfDirectory.set(directory, name);
  return name ?? undefined;
}
