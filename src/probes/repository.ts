/**
 * The app's repository as the rules read it: the files that say how the app is built, deployed and
 * configured (package.json scripts, workflows and composite actions, Dockerfiles, the Procfile, the
 * platforms' configs), each read and parsed once per run, with the positions an annotation needs.
 * One `Repository` per run (`clients.repository()`): gate.no-db-push and security.workflow-secrets
 * both query it, and a file they both read is read and parsed once.
 *
 * Each format is read with its real grammar: YAML with `yaml` (its Document keeps node ranges),
 * JSON with `JSON.parse` (positions from a small key scanner), TOML with `smol-toml` (loaded on first
 * use; positions from a small key scanner, see `tomlKeyLines`). A file that does not parse is
 * returned with its error, never thrown: the rule says "not scanned" on its line.
 *
 * Knows nothing of rules: no outcome, no finding, no advice.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { isPair, LineCounter, parseDocument, type Document, type Node, type Pair } from 'yaml';
import { lineOfOffset, lineStarts } from '../util/lines.js';

/** A package.json script and the 1-based line of its `"name":` key. */
export interface ScriptDef {
  command: string;
  line: number;
}

export type Scripts = ReadonlyMap<string, ScriptDef>;

export interface PackageJson {
  file: 'package.json';
  text: string;
  /** The scripts (empty when the file does not parse). */
  scripts: Scripts;
  /** Why the file could not be read as JSON. */
  error?: string;
}

export interface TextFile {
  /** Relative to the working directory, `/`-separated (`../…` above it, for a monorepo's workflows). */
  file: string;
  text: string;
}

export interface YamlFile extends TextFile {
  /** Absent when the file is not valid YAML (see `error`). */
  doc?: Document;
  error?: { line: number; message: string };
  /** 1-based line of an offset of `text`. */
  lineAt(offset: number): number;
  /** 1-based line where a node (or a pair's key) starts; 1 when it has no range. */
  lineOf(node: Node | Pair | null | undefined): number;
}

export interface JsonFile extends TextFile {
  /** Absent when the file is not valid JSON (see `error`). */
  value?: unknown;
  error?: string;
  /** 1-based line of the key (or array element) at a path of keys and indexes, when it exists. */
  lineOf(...path: Array<string | number>): number | undefined;
}

export interface TomlFile extends TextFile {
  /** Absent when the file is not valid TOML (see `error`). */
  value?: Record<string, unknown>;
  error?: { line?: number; message: string };
  /** 1-based line of the key at a path (tables, keys, array-of-tables indexes), or of its nearest parent; 1 when none. */
  lineOf(path: ReadonlyArray<string | number>): number;
}

/** Directories never searched for Dockerfiles: dependencies, build output, VCS data. */
const SKIP_DIRS = new Set(['node_modules', '.git', '.next', 'dist', 'build', 'out', 'coverage', '.turbo', '.vercel', 'vendor']);
const DOCKERFILE = /^(?:Dockerfile|Containerfile)(?:\..+)?$|\.(?:dockerfile|Dockerfile)$/;

export class Repository {
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private readonly parsed = new Map<string, Promise<unknown>>();

  /** `root`: the working directory (the app's directory; in a monorepo, below the repository's top). */
  constructor(readonly root: string) {}

  /** A file's text, relative to the root; undefined when it is missing or unreadable. */
  read(file: string): Promise<string | undefined> {
    let text = this.texts.get(file);
    if (!text) {
      text = readFile(join(this.root, file), 'utf8').catch(() => undefined);
      this.texts.set(file, text);
    }
    return text;
  }

  packageJson(): Promise<PackageJson | undefined> {
    return this.once('package.json#scripts', async () => {
      const text = await this.read('package.json');
      if (text === undefined) return undefined;
      try {
        return { file: 'package.json', text, scripts: readPackageScripts(text.replace(/^\uFEFF/, '')) };
      } catch (error) {
        return { file: 'package.json', text, scripts: new Map(), error: (error as Error).message };
      }
    });
  }

  yaml(file: string): Promise<YamlFile | undefined> {
    return this.once(`${file}#yaml`, async () => {
      const text = await this.read(file);
      return text === undefined ? undefined : parseYaml(file, text);
    });
  }

  json(file: string): Promise<JsonFile | undefined> {
    return this.once(`${file}#json`, async () => {
      const text = await this.read(file);
      return text === undefined ? undefined : parseJson(file, text);
    });
  }

  toml(file: string): Promise<TomlFile | undefined> {
    return this.once(`${file}#toml`, async () => {
      const text = await this.read(file);
      return text === undefined ? undefined : parseToml(file, text);
    });
  }

  /**
   * The workflows (`.github/workflows/*.yml|yaml`) and the repository's composite actions
   * (`.github/actions/**\/action.yml`, three levels deep), parsed. Those of the working directory, or,
   * when it is an app directory of a monorepo without its own, those of the repository's top (found by
   * its `.git`), named `../…`.
   */
  workflows(): Promise<YamlFile[]> {
    return this.once('#workflows', async () => {
      const files = await this.workflowFiles();
      return (await Promise.all(files.map((file) => this.yaml(file)))).filter((f): f is YamlFile => f !== undefined);
    });
  }

  /** Dockerfiles and Containerfiles (`Dockerfile`, `Dockerfile.prod`, `app.dockerfile`) down to three levels. */
  dockerfiles(): Promise<TextFile[]> {
    return this.once('#dockerfiles', async () => {
      const files = await this.find('', DOCKERFILE, 3);
      const read = await Promise.all(files.map(async (file) => ({ file, text: await this.read(file) })));
      return read.filter((f): f is TextFile => f.text !== undefined);
    });
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let value = this.parsed.get(key) as Promise<T> | undefined;
    if (!value) {
      value = load();
      this.parsed.set(key, value);
    }
    return value;
  }

  private async list(dir: string): Promise<Array<{ name: string; dir: boolean; file: boolean }>> {
    const entries = await readdir(join(this.root, dir), { withFileTypes: true }).catch(() => []);
    return entries.map((e) => ({ name: e.name, dir: e.isDirectory(), file: e.isFile() })).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Regular files under `dir` (relative, `/`-separated) whose name matches, down to `depth` levels. */
  private async find(dir: string, name: RegExp, depth: number): Promise<string[]> {
    const found: string[] = [];
    for (const e of await this.list(dir)) {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.dir && depth > 0 && !SKIP_DIRS.has(e.name)) found.push(...(await this.find(path, name, depth - 1)));
      else if (e.file && name.test(e.name)) found.push(path);
    }
    return found;
  }

  private async workflowFiles(): Promise<string[]> {
    for (let up = ''; ; up += '../') {
      const files = [...(await this.find(`${up}.github/workflows`, /\.ya?ml$/, 0)), ...(await this.find(`${up}.github/actions`, /^action\.ya?ml$/, 3))];
      const top = await stat(join(this.root, up, '.git')).then(() => true, () => false);
      if (files.length > 0 || top || resolve(this.root, up) === resolve(this.root, up, '..')) return files;
    }
  }
}

/** The scripts of a package.json text, with their lines. Throws on invalid JSON (the caller says so). */
export function readPackageScripts(text: string): Map<string, ScriptDef> {
  const pkg = JSON.parse(text) as { scripts?: unknown };
  const lines = jsonKeyLines(text);
  const scripts = new Map<string, ScriptDef>();
  if (pkg.scripts && typeof pkg.scripts === 'object') {
    for (const [name, command] of Object.entries(pkg.scripts)) {
      if (typeof command === 'string') scripts.set(name, { command, line: lines.get(keyPath('scripts', name)) ?? 1 });
    }
  }
  return scripts;
}

function parseYaml(file: string, text: string): YamlFile {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter });
  const lineAt = (offset: number) => counter.linePos(offset).line;
  const lineOf = (node: Node | Pair | null | undefined) => {
    const range = isPair(node) ? (node.key as Node | null)?.range : node?.range;
    return range ? lineAt(range[0]) : 1;
  };
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    return { file, text, error: { line: lineAt(first.pos[0]), message: first.message.split('\n')[0]! }, lineAt, lineOf };
  }
  return { file, text, doc, lineAt, lineOf };
}

function parseJson(file: string, text: string): JsonFile {
  let lines: Map<string, number> | undefined;
  const lineOf = (...path: Array<string | number>) => (lines ??= jsonKeyLines(text)).get(keyPath(...path));
  try {
    return { file, text, value: JSON.parse(text.replace(/^\uFEFF/, '')) as unknown, lineOf };
  } catch (error) {
    return { file, text, error: (error as Error).message, lineOf };
  }
}

async function parseToml(file: string, text: string): Promise<TomlFile> {
  const lines = tomlKeyLines(text);
  const lineOf = (path: ReadonlyArray<string | number>) => {
    for (let n = path.length; n > 0; n--) {
      const line = lines.get(keyPath(...path.slice(0, n)));
      if (line !== undefined) return line;
    }
    return 1;
  };
  const { parse, TomlError } = await import('smol-toml');
  try {
    return { file, text, value: parse(text) as Record<string, unknown>, lineOf };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0]!;
    return { file, text, error: error instanceof TomlError ? { line: error.line, message } : { message }, lineOf };
  }
}

/** The key of the line maps for a path of object keys and array indexes. */
export const keyPath = (...keys: Array<string | number>) => keys.join('\u0000');

/** 1-based line of an offset of `text`. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = lineStarts(text);
  return (offset) => lineOfOffset(starts, offset);
}

/**
 * The 1-based line of every object key and array element of a JSON text, by `keyPath`. JSON.parse
 * gives values but no positions; this small scanner gives the positions an annotation needs.
 */
export function jsonKeyLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  const stack: Array<{ array: boolean; key: string | number | undefined }> = [];
  const here = () => stack.map((f) => f.key).join('\u0000');
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const top = stack[stack.length - 1];
    if (c === '\n') line++;
    else if (c === '{' || c === '[') {
      if (top?.array) lines.set(here(), line);
      stack.push({ array: c === '[', key: c === '[' ? 0 : undefined });
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top) top.key = top.array ? (top.key as number) + 1 : undefined;
    else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top && !top.array && top.key === undefined) {
        top.key = JSON.parse(text.slice(i, j + 1)) as string;
        lines.set(here(), line);
      } else if (top?.array) lines.set(here(), line);
      i = j;
    } else if (top?.array && /[-0-9tfn]/.test(c) && !/[-0-9a-z.+]/i.test(text[i - 1] ?? '')) lines.set(here(), line);
  }
  return lines;
}

/**
 * The 1-based line of every key of a TOML text, by `keyPath` of its full path: table headers
 * (`[context.production]`, `[[services]]` by index), dotted keys, keys of inline tables
 * (`processes = { app = "…" }`) and elements of arrays. smol-toml gives the values but no positions;
 * this scanner only finds where keys are written (strings, multi-line strings, arrays and comments are
 * skipped as TOML defines them) and never decides a value: a text it misreads still gets smol-toml's
 * values, with a line that falls back to the nearest parent key.
 */
export function tomlKeyLines(text: string): Map<string, number> {
  const lineAt = lineIndex(text);
  const lines = new Map<string, number>();
  const arrayTables = new Map<string, number>();
  const record = (path: ReadonlyArray<string | number>, at: number) => {
    const key = keyPath(...path);
    if (!lines.has(key)) lines.set(key, lineAt(at));
  };
  let i = 0;
  const blank = () => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  /** Blanks, line breaks and comments (inside arrays and inline tables). */
  const space = () => {
    for (;;) {
      blank();
      if (text[i] === '\n' || text[i] === '\r') i++;
      else if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };
  const endOfLine = () => {
    while (i < text.length && text[i] !== '\n') i++;
  };
  /** A basic string's end (after its closing quote), from the opening quote at `i`. */
  const skipBasic = (quote: string) => {
    i += quote.length;
    while (i < text.length && !text.startsWith(quote, i) && (quote.length === 3 || text[i] !== '\n')) i += text[i] === '\\' ? 2 : 1;
    i += quote.length;
    // `""""` closes a multi-line string with a quote in it.
    while (quote.length === 3 && text[i] === '"') i++;
  };
  const skipLiteral = (quote: string) => {
    const close = text.indexOf(quote, i + quote.length);
    i = close === -1 ? text.length : close + quote.length;
    while (quote.length === 3 && text[i] === "'") i++;
  };
  /** A dotted key (`a."b.c".d`) at `i`, or undefined. */
  const readKey = (): string[] | undefined => {
    const parts: string[] = [];
    for (;;) {
      blank();
      const start = i;
      if (text[i] === '"') {
        skipBasic('"');
        try {
          parts.push(JSON.parse(text.slice(start, i)) as string);
        } catch {
          parts.push(text.slice(start + 1, i - 1));
        }
      } else if (text[i] === "'") {
        skipLiteral("'");
        parts.push(text.slice(start + 1, i - 1));
      } else {
        while (i < text.length && /[A-Za-z0-9_-]/.test(text[i]!)) i++;
        if (i === start) return undefined;
        parts.push(text.slice(start, i));
      }
      blank();
      if (text[i] !== '.') return parts;
      i++;
    }
  };
  const readValue = (path: Array<string | number>): void => {
    blank();
    if (text.startsWith('"""', i)) skipBasic('"""');
    else if (text.startsWith("'''", i)) skipLiteral("'''");
    else if (text[i] === '"') skipBasic('"');
    else if (text[i] === "'") skipLiteral("'");
    else if (text[i] === '[') {
      i++;
      for (let index = 0; ; ) {
        space();
        if (i >= text.length) return;
        if (text[i] === ']') return void i++;
        if (text[i] === ',') {
          i++;
          continue;
        }
        record([...path, index], i);
        const before = i;
        readValue([...path, index++]);
        if (i === before) i++;
      }
    } else if (text[i] === '{') {
      i++;
      for (;;) {
        space();
        if (i >= text.length) return;
        if (text[i] === '}') return void i++;
        if (text[i] === ',') {
          i++;
          continue;
        }
        const at = i;
        const key = readKey();
        if (!key) return endOfLine();
        record([...path, ...key], at);
        blank();
        if (text[i] === '=') i++;
        readValue([...path, ...key]);
      }
    } else {
      // A number, boolean or date: up to what ends a value.
      while (i < text.length && !/[,\]}#\n]/.test(text[i]!)) i++;
    }
  };

  let table: Array<string | number> = [];
  while (i < text.length) {
    space();
    if (i >= text.length) break;
    const at = i;
    if (text[i] === '[') {
      const many = text[i + 1] === '[';
      i += many ? 2 : 1;
      const key = readKey() ?? [];
      if (many) {
        const n = arrayTables.get(keyPath(...key)) ?? 0;
        arrayTables.set(keyPath(...key), n + 1);
        record(key, at);
        table = [...key, n];
      } else table = key;
      record(table, at);
      endOfLine();
      continue;
    }
    const key = readKey();
    if (!key) {
      endOfLine();
      continue;
    }
    record([...table, ...key], at);
    blank();
    if (text[i] === '=') i++;
    readValue([...table, ...key]);
    endOfLine();
  }
  return lines;
}
