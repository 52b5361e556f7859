#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

try {
  process.exitCode = main(process.argv.slice(2), { cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr, env: process.env });
} catch (error) {
  // User errors never get here (main reports them and returns 2): this is a bug in lockstep itself.
  process.stderr.write(`lockstep: internal error, please report it with this output:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 2;
}
