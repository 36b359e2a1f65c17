#!/usr/bin/env node
// Builds the committed bundle with one esbuild run: dist/index.js (the action) and dist/cli/index.js
// (the command line) share their code through chunks in dist/, and what only some runs need (pg,
// stripe, Octokit, PostgreSQL's parser glue, the TOML reader) is a chunk of its own, loaded when a rule
// asks for it. Whitespace and syntax are minified, our identifiers are not (an error's stack still
// reads, with no keepNames wrapper to slow the hot loops; chunks of packages' code only are minified
// whole), and each file has a source map (without the
// sources: they are in src/). It also writes dist/licenses.txt and schema/config.schema.json. CI rebuilds and fails when the result differs from what is committed.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants as zlibConstants } from 'node:zlib';
import { build, transform } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
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
  plugins: [lazyOidc()],
  // CommonJS dependencies bundled into ESM still call require().
  banner: { js: "import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);" },
});

// The source maps map our own code only: a frame in src/ reads as its file and line, a frame in a
// bundled package as the bundle's (the packages' sources are not in dist/ anyway). Mapping every
// package too would double dist/ for lines no one reads.
for (const file of walk(dist).filter((f) => f.endsWith('.js.map'))) writeFileSync(file, JSON.stringify(ownCodeOnly(JSON.parse(readFileSync(file, 'utf8')))));

// Chunks of packages' code only (their maps, above, are now empty) have their identifiers minified
// as well (keepNames holds every function's and class's `.name`, which packages read): no one reads a
// package's frame in dist/, and it takes about a quarter off those chunks. Our own code keeps its names.
for (const file of walk(dist).filter((f) => f.endsWith('.js') && !f.includes('/libpg-query/'))) {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8'));
  if (map.sources.length > 0) continue;
  const code = readFileSync(file, 'utf8');
  const link = /\n?\/\/# sourceMappingURL=\S+\s*$/.exec(code)?.[0] ?? '';
  const { code: minified } = await transform(code.slice(0, code.length - link.length), { format: 'esm', platform: 'node', target: 'node20', minify: true, keepNames: true, legalComments: 'none' });
  writeFileSync(file, `${minified.trimEnd()}${link.startsWith('\n') ? link : `\n${link}`}`);
  writeFileSync(`${file}.map`, JSON.stringify({ version: 3, sources: [], names: [], mappings: '' }));
}

// The bin keeps its shebang from src/bin.ts and must be executable.
chmodSync(join(dist, 'cli/index.js'), 0o755);

// PostgreSQL's parser (gate.migration-safety) is loaded at run time from dist/libpg-query/: its
// Emscripten glue as published (CommonJS) and the WebAssembly as a file of its own, never inlined into
// the JavaScript, Brotli-compressed (1.7 MB becomes 0.25 MB; unpacking takes about 5 ms, once per
// run that parses a migration; src/analysis/migrations/pg-parser.ts hands the bytes to the glue).
const pgQuery = join(root, 'node_modules/libpg-query');
mkdirSync(join(dist, 'libpg-query'), { recursive: true });
for (const file of ['wasm/libpg-query.js', 'LICENSE']) copyFileSync(join(pgQuery, file), join(dist, 'libpg-query', file.replace('wasm/', '')));
const wasm = readFileSync(join(pgQuery, 'wasm/libpg-query.wasm'));
writeFileSync(
  join(dist, 'libpg-query/libpg-query.wasm.br'),
  brotliCompressSync(wasm, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: wasm.length } }),
);
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
    `dist/libpg-query (${(statSync(join(dist, 'libpg-query/libpg-query.wasm.br')).size / 1e6).toFixed(2)} MB of compressed WebAssembly); ` +
    `${(walk(dist).reduce((sum, f) => sum + statSync(f).size, 0) / 1e6).toFixed(2)} MB in dist/ in total; schema/config.schema.json`,
);

/**
 * @actions/core imports its OIDC client (and through it @actions/http-client and undici, half a
 * megabyte) for getIDToken, which the gate never calls: the client becomes a chunk loaded on the
 * first call, so the action's entry does not load undici (Octokit, loaded on demand, still does).
 */
function lazyOidc() {
  return {
    name: 'lazy-oidc',
    setup(pluginBuild) {
      pluginBuild.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) =>
        /[\\/]@actions[\\/]core[\\/]lib[\\/]core\.js$/.test(args.importer) ? { path: join(args.resolveDir, 'oidc-utils.js'), namespace: 'lazy-oidc' } : undefined,
      );
      pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-oidc' }, (args) => ({
        contents: `export class OidcClient { static async getIDToken(audience) { const real = await import(${JSON.stringify(args.path)}); return real.OidcClient.getIDToken(audience); } }\n`,
        loader: 'js',
        resolveDir: join(args.path, '..'),
      }));
    },
  };
}

/** The licenses of every package that went into the bundle: name, version, licence and its text. */
function licenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    // A plugin's module (`lazy-oidc:…`) is ours; the package it stands for is an input of its own.
    if (/^[a-z-]+:/.test(input)) continue;
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

/** A source map (v3) with only the segments whose source is outside node_modules. */
function ownCodeOnly(map) {
  const keep = map.sources.map((source) => !source.includes('node_modules/'));
  const sources = [];
  const sourceIndex = new Map();
  const names = [];
  const nameIndex = new Map();
  const at = (list, index, key) => {
    if (!index.has(key)) index.set(key, list.push(key) - 1);
    return index.get(key);
  };
  // Absolute values carried across segments and lines, as the format encodes them relative.
  const read = [0, 0, 0, 0];
  const written = [0, 0, 0, 0];
  const lines = map.mappings.split(';').map((line) => {
    let column = 0;
    let writtenColumn = 0;
    let unmapped = false;
    const out = [];
    for (const segment of line ? line.split(',') : []) {
      const fields = vlqDecode(segment);
      column += fields[0];
      for (let i = 1; i < fields.length; i++) read[i - 1] += fields[i];
      if (fields.length < 4 || !keep[read[0]]) {
        // A package's code: marked as mapping nowhere, so it is not taken for the src/ line before it.
        if (out.length && !unmapped) {
          out.push(vlqEncode(column - writtenColumn));
          writtenColumn = column;
        }
        unmapped = true;
        continue;
      }
      unmapped = false;
      const absolute = [at(sources, sourceIndex, map.sources[read[0]]), read[1], read[2]];
      if (fields.length === 5) absolute.push(at(names, nameIndex, map.names[read[3]]));
      const relative = [column - writtenColumn, ...absolute.map((value, i) => value - written[i])];
      absolute.forEach((value, i) => (written[i] = value));
      writtenColumn = column;
      out.push(relative.map(vlqEncode).join(''));
    }
    return out.join(',');
  });
  return { ...map, sources, names, mappings: lines.join(';') };
}

function vlqDecode(text) {
  const values = [];
  let value = 0;
  let shift = 0;
  for (const char of text) {
    const digit = BASE64.indexOf(char);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    values.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return values;
}

function vlqEncode(number) {
  let value = number < 0 ? (-number << 1) | 1 : number << 1;
  let text = '';
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value) digit |= 32;
    text += BASE64[digit];
  } while (value);
  return text;
}

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}
