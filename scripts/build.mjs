#!/usr/bin/env node
// Builds the committed bundles with tsc and @vercel/ncc: dist/index.js (the action) and dist/cli/index.js
// (the command line), and writes schema/config.schema.json from the zod schema. CI rebuilds and
// fails when the result differs from what is committed.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, readFileSync, chmodSync, copyFileSync, statSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
const ncc = `${root}node_modules/.bin/ncc`;
rmSync(`${root}dist`, { recursive: true, force: true });
rmSync(`${root}.build`, { recursive: true, force: true });
// tsc first, then ncc on the JavaScript: ncc's own TypeScript loader would type-check the whole
// project (tests and sandbox included) and does not work with TypeScript 7.
execFileSync(`${root}node_modules/.bin/tsc`, ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
for (const [entry, out] of [
  ['.build/index.js', 'dist'],
  ['.build/bin.js', 'dist/cli'],
]) {
  execFileSync(ncc, ['build', entry, '-o', out, '--license', 'licenses.txt', '--target', 'es2022', '-q'], { cwd: root, stdio: 'inherit' });
}
// ncc keeps the shebang; the bin must be executable.
chmodSync(`${root}dist/cli/index.js`, 0o755);

// PostgreSQL's parser (gate.migration-safety) is loaded at run time from dist/libpg-query/, shared by
// both entries: its Emscripten glue as published (CommonJS, it finds the .wasm next to itself) and
// the WebAssembly as a file of its own, never inlined into the JavaScript (src/rules/gate/pg-parser.ts).
const pgQuery = `${root}node_modules/libpg-query`;
mkdirSync(`${root}dist/libpg-query`, { recursive: true });
for (const file of ['wasm/libpg-query.js', 'wasm/libpg-query.wasm', 'LICENSE']) copyFileSync(`${pgQuery}/${file}`, `${root}dist/libpg-query/${file.replace('wasm/', '')}`);
const pgQueryVersion = JSON.parse(readFileSync(`${pgQuery}/package.json`, 'utf8')).version;
writeFileSync(`${root}dist/libpg-query/package.json`, `${JSON.stringify({ name: 'libpg-query', version: pgQueryVersion, type: 'commonjs', private: true })}\n`);

const schema = execFileSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/config.ts').then(m => process.stdout.write(JSON.stringify(m.configJsonSchema(), null, 2) + '\\n'))"], { cwd: root });
mkdirSync(`${root}schema`, { recursive: true });
writeFileSync(`${root}schema/config.schema.json`, schema);
console.log(
  `built dist/index.js (${(readFileSync(`${root}dist/index.js`).length / 1e6).toFixed(1)} MB), dist/cli/index.js, ` +
    `dist/libpg-query (${(statSync(`${root}dist/libpg-query/libpg-query.wasm`).size / 1e6).toFixed(1)} MB of WebAssembly), schema/config.schema.json`,
);
