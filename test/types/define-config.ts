import { defineConfig } from 'eslint/config';
import lockstep from '@lockstep/eslint-plugin';

export default defineConfig(lockstep.configs.recommended, lockstep.configs.strict, {
  files: ['**/*.ts'],
  extends: [lockstep.configs.recommended],
  plugins: { '@lockstep': lockstep },
});
