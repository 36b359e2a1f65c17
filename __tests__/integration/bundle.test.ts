/**
 * The committed bundle as a user's runner checks it out: small (dist/ under 3.5 MB in total, the
 * WebAssembly compressed, packages' code minified; the budget was 3 MB until the app model, the
 * pull-request comparison and the NextAuth host-trust probe came in, 0.3 MB of our own code and
 * maps), one source map per file that leads a stack frame back to src/, and nothing of a package's
 * code taken for one of our lines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { join } from 'node:path';

const dist = new URL('../../dist/', import.meta.url).pathname;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

test('dist/ is under 3.5 MB in total, maps and WebAssembly included', () => {
  const files = walk(dist);
  const total = files.reduce((sum, f) => sum + statSync(f).size, 0);
  assert.ok(total < 3_500_000, `dist/ holds ${total} bytes`);
  assert.ok(files.some((f) => f.endsWith('libpg-query.wasm.br')), 'the parser ships compressed');
  assert.ok(!files.some((f) => f.endsWith('.wasm')), 'no uncompressed WebAssembly');
});

test('every JavaScript file has its source map, and the maps name only our sources', () => {
  const js = walk(dist).filter((f) => f.endsWith('.js') && !f.includes('/libpg-query/'));
  for (const file of js) {
    const text = readFileSync(file, 'utf8');
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    assert.ok(url, `${file} links its map`);
    const map = JSON.parse(readFileSync(join(file, '..', url), 'utf8')) as { sources: string[] };
    for (const source of map.sources) assert.doesNotMatch(source, /node_modules/, `${file} maps ${source}`);
  }
});

test("a position in the action's entry maps to its line in src/, a package's code to nothing", () => {
  const file = join(dist, 'index.js');
  const lines = readFileSync(file, 'utf8').split('\n');
  const map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')) as never);
  // A string literal of src/main.ts that the bundle keeps as it is.
  const needle = 'configuration error:';
  const line = lines.findIndex((l) => l.includes(needle));
  assert.ok(line >= 0, 'the entry holds the literal');
  const entry = map.findEntry(line, lines[line]!.indexOf(needle)) as { originalSource?: string; originalLine?: number };
  assert.match(entry.originalSource ?? '', /src\/main\.ts$/);
  const source = readFileSync(new URL('../../src/main.ts', import.meta.url), 'utf8').split('\n');
  assert.ok(source[entry.originalLine!]!.includes(needle), `line ${entry.originalLine! + 1} of src/main.ts holds it`);
  // @actions/core is bundled into the entry's chunks; its code maps to no source at all (a string of
  // its file commands: its identifiers are minified).
  const literal = 'Unable to find environment variable for file command';
  const chunk = walk(dist).find((f) => f.endsWith('.js') && readFileSync(f, 'utf8').includes(literal));
  assert.ok(chunk, "a file holds @actions/core's file commands");
  const chunkLines = readFileSync(chunk, 'utf8').split('\n');
  const chunkMap = new SourceMap(JSON.parse(readFileSync(`${chunk}.map`, 'utf8')) as never);
  const at = chunkLines.findIndex((l) => l.includes(literal));
  const found = chunkMap.findEntry(at, chunkLines[at]!.indexOf(literal)) as { originalSource?: string };
  assert.equal(found.originalSource, undefined, `${chunk}: package code maps to ${found.originalSource}`);
});
