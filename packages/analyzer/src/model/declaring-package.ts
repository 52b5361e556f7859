/**
 * Whether a declaration comes from a given package: the package that owns the declaring file, or the
 * DefinitelyTyped package that types it (`@types/async-lock` declares `async-lock`'s classes,
 * `@types/scope__name` those of `@scope/name`).
 */
import { packageNameOf } from './package-name.js';

/** Whether `fileName` belongs to `module` or to `module`'s `@types` package. */
export function isDeclaredByPackage(fileName: string, module: string): boolean {
  const owner = packageNameOf(fileName);
  return owner !== undefined && (owner === module || owner === typesPackageOf(module));
}

/** `async-lock` → `@types/async-lock`, `@scope/name` → `@types/scope__name`. */
export function typesPackageOf(module: string): string {
  return `@types/${module.startsWith('@') ? module.slice(1).replace('/', '__') : module}`;
}
