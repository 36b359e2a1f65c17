// Preloaded (`node --import`) by registry.test.ts: records the URL of every module the process
// resolves, one a line, in the file PRG_IMPORT_LOG names. Registered after tsx, so it sees the
// resolved `.ts` files.
import { register } from 'node:module';

register('./record-imports-hooks.mjs', import.meta.url, { data: { log: process.env.PRG_IMPORT_LOG } });
