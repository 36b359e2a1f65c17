#!/usr/bin/env node
/** The command-line entry (`npx production-readiness-gate`): runs cli() with this process's streams. */
import { isMainThread } from 'node:worker_threads';
import { cli } from './cli.js';

// The bundle is also the entry of the secret scan's worker threads (src/analysis/secrets/worker.ts): they only scan.
if (isMainThread) {
  const code = await cli({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });
  process.exitCode = code;
  // A client that keeps a socket alive must not keep a finished run waiting.
  setTimeout(() => process.exit(code), 2000).unref();
}
