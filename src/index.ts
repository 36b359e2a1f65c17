/** The action entry: runs the gate. Everything else lives in main.ts and below. */
import { isMainThread } from 'node:worker_threads';
import { run } from './main.js';

// The bundle is also the entry of the secret scan's worker threads (src/analysis/secrets/worker.ts): they only scan.
// Not a top-level await: should the run ever stop waiting with nothing left to do, the last guard in
// main.ts writes the report and Node exits with the step's exit code, not 13 ("unsettled await").
if (isMainThread) {
  void run().then(() => {
    // A client that keeps a socket alive must not keep a finished step waiting.
    setTimeout(() => process.exit(), 2000).unref();
  });
}
