/**
 * The RuleTesters every rule test shares. Type-aware cases are linted as `fixtures/file.ts` inside the
 * fixture project, so the other files of `fixtures/` are part of their program (and of its lock-order
 * graph): keep those files deliberate.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RuleTester } from '@typescript-eslint/rule-tester';

/** The fixture project's directory (its `tsconfig.json` includes every `.ts` file there). */
export const FIXTURES_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');

/** A RuleTester with full type information: cases are `file.ts` of the fixture project. */
export function createTypedRuleTester(): RuleTester {
  return new RuleTester({
    languageOptions: {
      parserOptions: {
        // `file.ts` is in the fixture project, so no default project is needed (typescript-eslint
        // refuses a file matched by both `allowDefaultProject` and a tsconfig).
        projectService: true,
        tsconfigRootDir: FIXTURES_DIR,
      },
    },
  });
}

/** A RuleTester without type information, as for plain JavaScript linted without a project. */
export function createUntypedRuleTester(): RuleTester {
  return new RuleTester({ languageOptions: { parserOptions: { tsconfigRootDir: FIXTURES_DIR } } });
}
