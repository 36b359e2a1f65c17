#!/usr/bin/env node
// Builds the committed bundle with one esbuild run: dist/index.js (the action) and dist/cli/index.js
// (the command line) share their code through chunks in dist/, and what only some runs need (pg,
// stripe, Octokit, PostgreSQL's parser glue, the TOML reader) is a chunk of its own, loaded when a rule
// asks for it. Whitespace and syntax are minified, identifiers are not (an error's stack still reads,
// with no keepNames wrapper to slow the hot loops), and each file has a source map (without the
// sources: they are in src/). It also writes dist/licenses.txt and schema/config.schema.json. CI rebuilds and fails when the result differs from what is committed.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
rmSync(join(root, '.build'), { recursive: true, force: true });

const result = await build({
  absWorkingDir: root,
  entryPoints: { index: 'src/index.ts', 'cli/index': 'src/bin.ts' },
  outdir: 'dist',
  // Chunks next to dist/index.js: code that finds files relative to itself (PostgreSQL's parser in
  // dist/libpg-query/) then works from whichever file it lands in.
  chunkNames: '[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  sourcesContent: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  // pg requires it only when asked for native bindings, which the gate never does.
  external: ['pg-native'],
  // CommonJS dependencies bundled into ESM still call require().
  banner: { js: "import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);" },
});

// The bin keeps its shebang from src/bin.ts and must be executable.
chmodSync(join(dist, 'cli/index.js'), 0o755);

// PostgreSQL's parser (gate.migration-safety) is loaded at run time from dist/libpg-query/: its
// Emscripten glue as published (CommonJS, it finds the .wasm next to itself) and the WebAssembly as a
// file of its own, never inlined into the JavaScript (src/rules/gate/pg-parser.ts).
const pgQuery = join(root, 'node_modules/libpg-query');
mkdirSync(join(dist, 'libpg-query'), { recursive: true });
for (const file of ['wasm/libpg-query.js', 'wasm/libpg-query.wasm', 'LICENSE']) copyFileSync(join(pgQuery, file), join(dist, 'libpg-query', file.replace('wasm/', '')));
const pgQueryVersion = JSON.parse(readFileSync(join(pgQuery, 'package.json'), 'utf8')).version;
writeFileSync(join(dist, 'libpg-query/package.json'), `${JSON.stringify({ name: 'libpg-query', version: pgQueryVersion, type: 'commonjs', private: true })}\n`);

writeFileSync(join(dist, 'licenses.txt'), licenses(result.metafile));

const schema = execFileSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/config.ts').then(m => process.stdout.write(JSON.stringify(m.configJsonSchema(), null, 2) + '\\n'))"], { cwd: root });
mkdirSync(join(root, 'schema'), { recursive: true });
writeFileSync(join(root, 'schema/config.schema.json'), schema);

const js = walk(dist).filter((f) => f.endsWith('.js') && !f.includes('/libpg-query/'));
const jsBytes = js.reduce((sum, f) => sum + statSync(f).size, 0);
console.log(
  `built dist/index.js and dist/cli/index.js: ${js.length} files, ${(jsBytes / 1e6).toFixed(2)} MB of JavaScript; ` +
    `dist/libpg-query (${(statSync(join(dist, 'libpg-query/libpg-query.wasm')).size / 1e6).toFixed(1)} MB of WebAssembly); schema/config.schema.json`,
);

/** The licenses of every package that went into the bundle: name, version, licence and its text. */
function licenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match || packages.has(match[1])) continue;
    const dir = join(root, match[1]);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[sc]e|copying)(\.|$)/i.test(f));
    packages.set(match[1], { name: pkg.name, version: pkg.version, license: typeof pkg.license === 'string' ? pkg.license : pkg.license?.type, text: file ? readFileSync(join(dir, file), 'utf8').trim() : undefined });
  }
  return [...packages.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((p) => `${p.name}@${p.version}\n${p.license ?? 'UNKNOWN'}${p.text ? `\n${p.text}` : ''}`)
    .join('\n\n') + '\n';
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
