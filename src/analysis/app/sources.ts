/**
 * The app's source files as the app model reads them: every JavaScript/TypeScript module of the
 * repository (not its dependencies, build output or tests), read once, bounded in number and size, so
 * that a huge monorepo or a generated file cannot slow the run down. Each file is text with a
 * line index; nothing here parses JavaScript: the model's readers look for the few shapes Next.js,
 * NextAuth/Auth.js, Stripe and Prisma apps are written in, and say where they found them.
 */
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { lineOfOffset, lineStarts } from '../../util/lines.js';

export interface SourceFile {
  /** Relative to the app's root, `/`-separated. */
  file: string;
  text: string;
  /** 1-based line of a character offset. */
  lineAt(offset: number): number;
}

/** Directories that hold no app source: dependencies, build output, VCS data, tests, stand-ins. */
const SKIP_DIRS = new Set([
  'node_modules', '.git', '.next', '.vercel', '.turbo', '.netlify', '.contentlayer', 'dist', 'build', 'out', 'coverage',
  'vendor', 'public', '__tests__', '__mocks__', 'test', 'tests', 'e2e', 'cypress', 'playwright', '.storybook', 'storybook-static',
]);
const SOURCE = /\.(?:[cm]?[jt]sx?)$/;
const TEST_FILE = /\.(?:test|spec|stories)\.[cm]?[jt]sx?$/;

/** Bounds of one read: a typical SaaS app has a few hundred modules of a few KB. */
export const SOURCE_LIMITS = { files: 3000, bytes: 512 * 1024, depth: 10 };

export function sourceFile(file: string, text: string): SourceFile {
  let starts: number[] | undefined;
  return { file, text, lineAt: (offset) => lineOfOffset((starts ??= lineStarts(text)), offset) };
}

/** Reads a file relative to `root`; undefined when missing, unreadable, not a file or too large. */
export async function readText(root: string, file: string, maxBytes = SOURCE_LIMITS.bytes): Promise<string | undefined> {
  try {
    const info = await stat(join(root, file));
    if (!info.isFile() || info.size > maxBytes) return undefined;
    return await readFile(join(root, file), 'utf8');
  } catch {
    return undefined;
  }
}

/** Whether `file` (relative to `root`) is a regular file. */
export async function isFile(root: string, file: string): Promise<boolean> {
  return stat(join(root, file)).then((info) => info.isFile(), () => false);
}

/** The first `bytes` bytes of a file as text; undefined when it cannot be read. */
export async function readHead(root: string, file: string, bytes: number): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(join(root, file), 'r');
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await handle.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Entries of a directory, sorted by name; [] when it is missing. */
export async function listDir(root: string, dir: string): Promise<Array<{ name: string; dir: boolean; file: boolean }>> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => []);
  return entries.map((e) => ({ name: e.name, dir: e.isDirectory(), file: e.isFile() })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The app's modules, in path order, at most `SOURCE_LIMITS.files` of them. */
export async function readSources(root: string): Promise<{ files: SourceFile[]; truncated: boolean }> {
  const paths: string[] = [];
  let truncated = false;
  const walk = async (dir: string, depth: number): Promise<void> => {
    for (const entry of await listDir(root, dir)) {
      if (paths.length >= SOURCE_LIMITS.files) {
        truncated = true;
        return;
      }
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.dir) {
        if (depth < SOURCE_LIMITS.depth && !SKIP_DIRS.has(entry.name) && !entry.name.startsWith('.')) await walk(path, depth + 1);
      } else if (entry.file && SOURCE.test(entry.name) && !TEST_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) paths.push(path);
    }
  };
  await walk('', 0);
  const texts = await Promise.all(paths.map((p) => readText(root, p)));
  const files = paths.flatMap((p, i) => (texts[i] === undefined ? [] : [sourceFile(p, texts[i]!)]));
  return { files, truncated };
}

/**
 * The text with comments blanked out (same length, line breaks kept), so commented-out code is not
 * read; with `blankQuoted`, the insides of '…' and "…" strings too (template literals are kept: their
 * `${…}` is code).
 */
export function withoutComments(text: string, blankQuoted = false): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      out += ' '.repeat(stop - i);
      i = stop;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      // Strings are kept (event names and paths are strings), skipped whole so a "//" in one is not a comment.
      let j = i + 1;
      while (j < text.length && text[j] !== c && !(c !== '`' && text[j] === '\n')) j += text[j] === '\\' ? 2 : 1;
      const quoted = text.slice(i, j + 1);
      out += blankQuoted && c !== '`' && quoted.length > 2 ? `${c}${' '.repeat(quoted.length - 2)}${quoted.slice(-1)}` : quoted;
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
