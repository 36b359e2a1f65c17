/** The action entry: runs the gate. Everything else lives in main.ts and below. */
import { run } from './main.js';

await run();
// A client that keeps a socket alive must not keep a finished step waiting.
setTimeout(() => process.exit(), 2000).unref();
