/** The action entry: runs the gate. Everything else lives in main.ts and below. */
import { isMainThread } from 'node:worker_threads';
import { run } from './main.js';

// The bundle is also the entry of the secret scan's worker threads (secret-worker.ts): they only scan.
if (isMainThread) {
  await run();
  // A client that keeps a socket alive must not keep a finished step waiting.
  setTimeout(() => process.exit(), 2000).unref();
}
