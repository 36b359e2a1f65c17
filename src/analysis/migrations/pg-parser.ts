/**
 * PostgreSQL's own parser (libpg_query, the server's grammar compiled to WebAssembly by the
 * `libpg-query` package), loaded on first use: only a run with pending migrations pays for it.
 *
 * Why not the package's JavaScript entry: its Emscripten glue finds the `.wasm` through `__dirname`,
 * which does not exist in the ESM bundle the build makes of the action (esbuild), and the bundler
 * cannot see the file. So the build copies the glue into `dist/libpg-query/` as it is, with the
 * `.wasm` next to it Brotli-compressed (a separate file, never base64 in JavaScript; see
 * `wasmBytes`); the glue is imported natively from there by a path the bundler leaves alone, and the
 * three calls we need are made here on the module it exports. In
 * development and tests the same code loads the glue from node_modules.
 *
 * Positions: libpg_query reports node locations in UTF-8 bytes and a syntax error's cursor in
 * characters (code points); both are turned into 1-based lines of the file here.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { brotliDecompress } from 'node:zlib';
import { lineOfOffset, lineStarts } from '../../util/lines.js';

/** A parse-tree node as libpg_query's JSON gives it: `{ "AlterTableStmt": { … } }`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type PgNode = Record<string, any>;

export interface ParsedStatement {
  /** The statement node, e.g. `{ AlterTableStmt: {…} }`. */
  stmt: PgNode;
  /** Byte offset of the statement's first token in the file's UTF-8 text. */
  location: number;
  /** Byte length of the statement (to its `;` or the end of the text). */
  length: number;
}

export interface SyntaxProblem {
  message: string;
  /** Byte offset in the parsed text where the parser stopped. */
  location: number;
}

export interface ScanToken {
  start: number;
  end: number;
  text: string;
  tokenName: string;
}

export interface PgParser {
  /** The statements of `sql` in order, or the syntax error that makes PostgreSQL refuse the text. */
  parse(sql: string): { statements: ParsedStatement[] } | { error: SyntaxProblem };
  /** The PL/pgSQL tree of a `CREATE FUNCTION … LANGUAGE plpgsql` statement (for `DO` bodies). */
  parsePlpgsql(createFunction: string): PgNode;
  /** PostgreSQL's own tokens of `sql` (comments included), positions in bytes. */
  scan(sql: string): ScanToken[];
  /** The PostgreSQL version of the grammar, e.g. 180004. */
  version: number;
}

interface EmscriptenModule {
  _malloc(size: number): number;
  _free(ptr: number): void;
  lengthBytesUTF8(s: string): number;
  stringToUTF8(s: string, ptr: number, max: number): void;
  UTF8ToString(ptr: number): string;
  getValue(ptr: number, type: 'i32'): number;
  _wasm_parse_query_raw(ptr: number): number;
  _wasm_free_parse_result(ptr: number): void;
  _wasm_parse_plpgsql(ptr: number): number;
  _wasm_scan(ptr: number): number;
  _wasm_free_string(ptr: number): void;
}

/** Node's WebAssembly global, typed as far as used here (the project's `lib` has no DOM types). */
const webAssembly = (globalThis as unknown as { WebAssembly: { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }> } }).WebAssembly;

/** The bundle layout the build writes (scripts/build.mjs), next to dist/index.js and from dist/cli/. */
const BUNDLED_DIRS = ['./libpg-query/', '../libpg-query/'];
const GLUE = 'libpg-query.js';

let loading: Promise<PgParser> | undefined;

/** The parser, loaded once per process (about 50 ms: it compiles 1.7 MB of WebAssembly). */
export function loadPgParser(): Promise<PgParser> {
  loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw new Error(`cannot load the PostgreSQL parser (libpg-query): ${(error as Error).message ?? String(error)}`);
  });
  return loading;
}

/** Where the glue is: next to the bundle, else the installed package (development, tests). */
function gluePath(): string {
  const here = import.meta.url;
  for (const dir of BUNDLED_DIRS) {
    const candidate = fileURLToPath(new URL(dir + GLUE, here));
    if (existsSync(candidate)) return candidate;
  }
  // Built from parts so that the bundler does not try to resolve (and inline) it at build time.
  const specifier = ['libpg-query', 'wasm', GLUE].join('/');
  return createRequire(here).resolve(specifier);
}

async function load(): Promise<PgParser> {
  const glue = gluePath();
  const imported = (await import(/* webpackIgnore: true */ pathToFileURL(glue).href)) as { default: (options: object) => Promise<EmscriptenModule> };
  const bytes = await wasmBytes(dirname(glue));
  // The glue takes the bytes through its `instantiateWasm` hook (this build of it ignores
  // `wasmBinary`). The hook cannot report a failure to the glue, so a failure rejects here instead of
  // leaving the factory's promise unsettled.
  let failed!: (error: unknown) => void;
  const failure = new Promise<never>((_, reject) => (failed = reject));
  const mod = await Promise.race([
    imported.default({
      instantiateWasm: (imports: object, done: (instance: object) => void) => {
        webAssembly.instantiate(bytes, imports).then(({ instance }) => done(instance), failed);
        return {};
      },
    }),
    failure,
  ]);
  return wrap(mod);
}

/**
 * The WebAssembly's bytes: the bundle ships it Brotli-compressed (`libpg-query.wasm.br`, a quarter
 * megabyte instead of 1.7 MB in dist/), the installed package as it is published.
 */
async function wasmBytes(dir: string): Promise<Uint8Array> {
  const compressed = join(dir, 'libpg-query.wasm.br');
  if (existsSync(compressed)) return promisify(brotliDecompress)(await readFile(compressed));
  return readFile(join(dir, 'libpg-query.wasm'));
}

function wrap(mod: EmscriptenModule): PgParser {
  const withString = <T>(text: string, fn: (ptr: number) => T): T => {
    const size = mod.lengthBytesUTF8(text) + 1;
    const ptr = mod._malloc(size);
    try {
      mod.stringToUTF8(text, ptr, size);
      return fn(ptr);
    } finally {
      mod._free(ptr);
    }
  };
  const stringResult = (ptr: number): string => {
    try {
      return mod.UTF8ToString(ptr);
    } finally {
      mod._wasm_free_string(ptr);
    }
  };

  let version = 0;
  const parse: PgParser['parse'] = (sql) =>
    withString(sql, (queryPtr) => {
      const result = mod._wasm_parse_query_raw(queryPtr);
      if (!result) throw new Error('the PostgreSQL parser ran out of memory');
      try {
        // struct PgQueryParseResult { char *parse_tree; char *stderr_buffer; PgQueryError *error; }
        const tree = mod.getValue(result, 'i32');
        const error = mod.getValue(result + 8, 'i32');
        if (error) {
          // struct PgQueryError { char *message; char *funcname; char *filename; int lineno; int cursorpos; … }
          const messagePtr = mod.getValue(error, 'i32');
          const cursor = mod.getValue(error + 16, 'i32');
          const message = messagePtr ? mod.UTF8ToString(messagePtr) : 'syntax error';
          return { error: { message, location: codePointsToBytes(sql, Math.max(0, cursor - 1)) } };
        }
        const parsed = JSON.parse(mod.UTF8ToString(tree)) as { version: number; stmts?: Array<{ stmt: PgNode; stmt_location?: number; stmt_len?: number }> };
        version = parsed.version;
        const total = Buffer.byteLength(sql);
        const statements = (parsed.stmts ?? []).map((s) => {
          const location = s.stmt_location ?? 0;
          // stmt_len 0 means "to the end of the text" (the last statement without a `;`).
          return { stmt: s.stmt, location, length: s.stmt_len || total - location };
        });
        return { statements };
      } finally {
        mod._wasm_free_parse_result(result);
      }
    });

  const parsePlpgsql: PgParser['parsePlpgsql'] = (createFunction) =>
    withString(createFunction, (ptr) => {
      const text = stringResult(mod._wasm_parse_plpgsql(ptr));
      if (!text.startsWith('{')) throw new Error(text);
      return JSON.parse(text) as PgNode;
    });

  const scan: PgParser['scan'] = (sql) =>
    withString(sql, (ptr) => {
      const text = stringResult(mod._wasm_scan(ptr));
      if (!text.startsWith('{')) throw new Error(text);
      return (JSON.parse(text) as { tokens: ScanToken[] }).tokens;
    });

  const probe = parse('SELECT 1');
  if ('error' in probe) throw new Error(`the parser refuses SELECT 1: ${probe.error.message}`);
  return { parse, parsePlpgsql, scan, version };
}

/** The UTF-8 byte offset of the `n`-th code point of `text`. */
function codePointsToBytes(text: string, n: number): number {
  let bytes = 0;
  let count = 0;
  for (const ch of text) {
    if (count === n) break;
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    count++;
  }
  return bytes;
}

/**
 * 1-based line numbers for byte offsets of one text (node locations are UTF-8 bytes). Counts `\n`, so
 * CRLF files number their lines as editors do.
 */
export class LineIndex {
  private readonly starts: number[];
  readonly bytes: Buffer;

  constructor(text: string) {
    this.bytes = Buffer.from(text, 'utf8');
    this.starts = lineStarts(this.bytes);
  }

  line(byteOffset: number): number {
    return lineOfOffset(this.starts, byteOffset);
  }

  /** The text between two byte offsets. */
  slice(start: number, end: number): string {
    return this.bytes.subarray(start, end).toString('utf8');
  }
}
