/**
 * The git side of the comparison with a base (src/baseline.ts): find the base commit, fetch it when the
 * checkout lacks it, check it out in a temporary work tree, and list what the change did to each file.
 *
 * Unlike git.ts, this module writes, but only inside `.git` and a temporary directory: a fetch of
 * the one commit (and, for a shallow pull request, its own commits) into the object store, and a
 * `git worktree` that `removeWorktree` takes away again. The checked-out files are never touched.
 *
 * A token is given to git through the environment (`GIT_CONFIG_*`), never on a command line another
 * process could read, and only when a fetch without it failed (actions/checkout keeps its own).
 */
import { spawn } from 'node:child_process';
import { linkSync, mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { dirname, join } from 'node:path';

/** Stderr kept for error messages. */
const MAX_STDERR = 4096;
/** A text command's output is bounded (the commands here print a line or a small file). */
const MAX_TEXT = 16 * 1024 * 1024;

export class GitCommandError extends Error {}

interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Written to git's stdin. */
  input?: string;
  /** Called with each line of stdout instead of collecting it. */
  onLine?: (line: string) => void;
}

/** Runs git, resolves with its stdout; rejects with a GitCommandError naming git's own message. */
function git(cwd: string, args: string[], options: RunOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', args, {
      cwd,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      windowsHide: true,
      // Never a prompt for credentials, never a large-file download while checking out the base.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_LFS_SKIP_SMUDGE: '1', ...options.env },
    });
    const name = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? 'git';
    if (options.input !== undefined) {
      child.stdin!.on('error', () => undefined); // git exiting early is reported by its exit code
      child.stdin!.end(options.input);
    }
    let out = '';
    let rest = '';
    let stderr = '';
    let ended: string | undefined;
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (text: string) => {
      if (!options.onLine) {
        if (out.length < MAX_TEXT) out += text;
        return;
      }
      const lines = (rest + text).split('\n');
      rest = lines.pop()!;
      for (const line of lines) options.onLine(line);
    });
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => {
      if (stderr.length < MAX_STDERR) stderr += text;
    });
    const stop = (why: string) => {
      ended ??= why;
      child.kill('SIGKILL');
    };
    const timer = options.timeoutMs ? setTimeout(() => stop(`did not finish within ${Math.round(options.timeoutMs! / 1000)} s`), options.timeoutMs) : undefined;
    const onAbort = () => stop('was stopped');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new GitCommandError(error.code === 'ENOENT' ? 'git is not installed (or not on PATH)' : `git ${name}: ${error.message}`));
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (rest && options.onLine) options.onLine(rest);
      if (ended) return reject(new GitCommandError(`git ${name} ${ended}`));
      if (code === 0) return resolve(out);
      const message = stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ') || 'no message';
      reject(new GitCommandError(`git ${name} exited with ${code}: ${message}`));
    });
  });
}

/** The commit a revision names, or undefined when the repository does not have it. */
export async function resolveCommit(root: string, rev: string): Promise<string | undefined> {
  try {
    return (await git(root, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A commit's parents as its object records them. In a shallow clone git hides the parents of the
 * commits at its edge (`HEAD^1` fails), but the commit object still names them.
 */
export async function commitParents(root: string, sha: string): Promise<string[]> {
  const text = await git(root, ['cat-file', 'commit', sha]);
  const parents: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') break;
    const match = /^parent ([0-9a-f]{40,64})$/.exec(line);
    if (match) parents.push(match[1]!);
  }
  return parents;
}

/** The best common ancestor, or undefined when the history at hand has none (a shallow clone). */
export async function mergeBase(root: string, a: string, b: string): Promise<string | undefined> {
  try {
    return (await git(root, ['merge-base', a, b])).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** The commits at the edge of a shallow clone (`.git/shallow`); empty for a full clone. */
export async function shallowCommits(root: string): Promise<string[]> {
  try {
    const path = (await git(root, ['rev-parse', '--path-format=absolute', '--git-path', 'shallow'])).trim();
    return (await readFile(path, 'utf8')).split('\n').filter((l) => /^[0-9a-f]{40,64}$/.test(l));
  } catch {
    return [];
  }
}

export async function hasRemote(root: string, remote: string): Promise<boolean> {
  try {
    return (await git(root, ['remote'])).split('\n').includes(remote);
  } catch {
    return false;
  }
}

export interface FetchOptions {
  /**
   * `--depth` in a shallow clone (1 for the base commit alone); a full clone fetches the whole history
   * behind the commit, or it would turn shallow and hide history from the rules.
   */
  depth: number;
  /** A token for a remote on GitHub, tried only when git without it failed. */
  token?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

/**
 * Runs a command that talks to `origin`: first as the checkout left git (actions/checkout keeps its
 * own credentials), then, if that failed and a token was given, with the token as an `Authorization`
 * header for the remote's host, through the environment.
 */
async function withRemote<T>(root: string, options: Pick<FetchOptions, 'token'>, run: (env?: Record<string, string>) => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    const host = options.token ? await remoteHost(root) : undefined;
    if (!host) throw error;
    const basic = Buffer.from(`x-access-token:${options.token}`).toString('base64');
    return run({ GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.https://${host}/.extraheader`, GIT_CONFIG_VALUE_0: `AUTHORIZATION: basic ${basic}` });
  }
}

/** Fetches one commit by its id from `origin` (GitHub serves any reachable commit by id). */
export async function fetchCommit(root: string, sha: string, options: FetchOptions): Promise<void> {
  const depth = (await shallowCommits(root)).length > 0 ? [`--depth=${options.depth}`] : [];
  await withRemote(root, options, (env) =>
    git(root, ['fetch', '--quiet', '--no-tags', '--no-write-fetch-head', ...depth, 'origin', sha], { env, timeoutMs: options.timeoutMs, signal: options.signal }),
  );
}

/**
 * The commit `origin` has under a branch or tag name (`git ls-remote`): a tag's commit when a tag has
 * that name, else the branch's; undefined when origin has neither.
 */
export async function remoteCommit(root: string, name: string, options: Pick<FetchOptions, 'token' | 'timeoutMs' | 'signal'>): Promise<string | undefined> {
  const short = name.replace(/^refs\/(?:heads|tags)\//, '');
  const out = await withRemote(root, options, (env) =>
    git(root, ['ls-remote', '--quiet', 'origin', `refs/tags/${short}`, `refs/tags/${short}^{}`, `refs/heads/${short}`], { env, timeoutMs: options.timeoutMs, signal: options.signal }),
  );
  const refs = new Map(out.split('\n').filter(Boolean).map((l) => [l.split('\t')[1]!, l.split('\t')[0]!] as const));
  return refs.get(`refs/tags/${short}^{}`) ?? refs.get(`refs/tags/${short}`) ?? refs.get(`refs/heads/${short}`);
}

/** The host of `origin` when it is an https URL (the only kind a token header applies to). */
async function remoteHost(root: string): Promise<string | undefined> {
  try {
    const url = (await git(root, ['remote', 'get-url', 'origin'])).trim();
    const parsed = new URL(url);
    return parsed.protocol === 'https:' ? parsed.host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks `sha` out, detached, in the new directory `dir` (which must not exist): a `git worktree`
 * whose index is the base's tree. Only the files that differ from the checkout (`changed`, paths from
 * the repository root) are written from git's objects; every other file has the same content as in
 * the checkout and is a hard link to it, which on a 20,000-file repository takes a fraction of a
 * checkout's time. Nothing may write to the work tree (a link shares its file with the checkout):
 * the base pass only reads. Across file systems, or where a link fails, the file is written too.
 * With `wanted`, an unchanged file it refuses is left out of the work tree (it stays in the index).
 */
export async function addWorktree(
  root: string,
  sha: string,
  dir: string,
  changed: ReadonlySet<string>,
  options: { timeoutMs: number; signal?: AbortSignal; wanted?: (path: string) => boolean },
): Promise<{ linked: number; written: number; left: number }> {
  const run = { timeoutMs: options.timeoutMs, signal: options.signal };
  await git(root, ['-c', 'core.hooksPath=/dev/null', 'worktree', 'add', '--quiet', '--no-checkout', '--detach', '--', dir, sha], run);
  await git(dir, ['read-tree', sha], run);
  const entries: Array<{ mode: string; path: string }> = [];
  const listing = await git(dir, ['ls-files', '--stage', '-z'], run);
  for (const record of listing.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab > 0) entries.push({ mode: record.slice(0, record.indexOf(' ')), path: record.slice(tab + 1) });
  }
  const write: string[] = [];
  const dirs = new Set<string>();
  let linking = true;
  let left = 0;
  // Synchronous calls in slices: a promise per file would cost more than the link itself.
  for (let i = 0; i < entries.length; i += LINK_SLICE) {
    if (options.signal?.aborted) throw new GitCommandError('git worktree was stopped');
    for (const { mode, path } of entries.slice(i, i + LINK_SLICE)) {
      // Submodules (160000) are other repositories, not checked out (as `git worktree add` leaves them).
      if (mode === '160000') continue;
      if (!linking || mode === '120000' || changed.has(path)) {
        write.push(path);
        continue;
      }
      if (options.wanted && !options.wanted(path)) {
        left++;
        continue;
      }
      const target = join(dir, path);
      try {
        const parent = dirname(target);
        if (!dirs.has(parent)) {
          mkdirSync(parent, { recursive: true });
          dirs.add(parent);
        }
        linkSync(join(root, path), target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EXDEV' || code === 'EPERM' || code === 'EMLINK') linking = false;
        write.push(path);
      }
    }
    await nextTurn();
  }
  if (write.length > 0) await git(dir, ['checkout-index', '--force', '-z', '--stdin'], { ...run, input: write.join('\0') });
  return { linked: entries.filter((e) => e.mode !== '160000').length - write.length - left, written: write.length, left };
}

/** Files linked between two turns of the event loop while building the base's work tree. */
const LINK_SLICE = 2000;

/** Takes the temporary work tree away (its files and its entry under `.git/worktrees`). */
export async function removeWorktree(root: string, dir: string): Promise<void> {
  await git(root, ['worktree', 'remove', '--force', '--', dir]).catch(() => undefined);
  await git(root, ['worktree', 'prune']).catch(() => undefined);
}

/** A file as the base has it (`git show <sha>:<path>`), or undefined when it has none. */
export async function fileAt(root: string, sha: string, path: string): Promise<string | undefined> {
  try {
    return await git(root, ['show', `${sha}:${path}`]);
  } catch {
    return undefined;
  }
}

export interface FileChange {
  /** Path relative to the repository root, as it is on the head (the base's for a deletion). */
  path: string;
  status: 'added' | 'modified' | 'deleted' | 'renamed';
  /** The base's path of a renamed file. */
  from?: string;
  /** Lines of the head's file that the change added or edited, as [first, last] ranges. */
  ranges: Array<[number, number]>;
}

export interface RepoDiff {
  files: FileChange[];
  /**
   * Added lines that may add an exception to the secret scan: any line with `gitleaks:allow`, and
   * every added line of `.gitleaksignore` and `.gitleaks.toml` (path, line, text).
   */
  exceptionLines: Array<{ path: string; line: number; text: string }>;
}

/** Files whose added lines are kept for the list of exceptions a change adds. */
const EXCEPTION_FILES = /(?:^|\/)\.gitleaks(?:ignore|\.toml)$/;
/** Added lines kept at most (a change that adds thousands of allowlist lines says so in the count). */
const MAX_EXCEPTION_LINES = 200;

/**
 * What the change did, from the base commit to the checked-out work tree: `git diff -M -U0`, read as
 * it streams (renames followed, as `git diff -M` finds them; lines as ranges of the head's file).
 */
export async function diffWithBase(root: string, base: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<RepoDiff> {
  const files: FileChange[] = [];
  const exceptionLines: RepoDiff['exceptionLines'] = [];
  let current: FileChange | undefined;
  let newLine = 0;
  let inHunk = false;
  const onLine = (line: string) => {
    if (line.startsWith('diff --git ')) {
      // The header's paths are ambiguous with spaces; the lines below name them exactly.
      current = { path: headerPath(line), status: 'modified', ranges: [] };
      files.push(current);
      inHunk = false;
      return;
    }
    if (!current) return;
    if (inHunk) {
      if (line.startsWith('+')) {
        const text = line.slice(1);
        if ((EXCEPTION_FILES.test(current.path) || text.includes('gitleaks:allow')) && exceptionLines.length < MAX_EXCEPTION_LINES) {
          exceptionLines.push({ path: current.path, line: newLine, text: text.trim() });
        }
        newLine++;
        return;
      }
      if (line.startsWith('-') || line.startsWith('\\')) return;
    }
    const hunk = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@/.exec(line);
    if (hunk) {
      const start = Number(hunk[1]);
      const count = hunk[2] === undefined ? 1 : Number(hunk[2]);
      if (count > 0) current.ranges.push([start, start + count - 1]);
      newLine = start;
      inHunk = true;
      return;
    }
    if (line.startsWith('new file mode')) current.status = 'added';
    else if (line.startsWith('deleted file mode')) current.status = 'deleted';
    else if (line.startsWith('rename from ')) {
      current.status = 'renamed';
      current.from = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) current.path = unquote(line.slice('rename to '.length));
    else if (line.startsWith('--- ') && current.status === 'deleted') current.path = stripPrefix(unquote(line.slice(4)), 'a/');
    else if (line.startsWith('+++ ') && line !== '+++ /dev/null') current.path = stripPrefix(unquote(line.slice(4)), 'b/');
  };
  // core.trustctime=false: the base's work tree links the checkout's files, which changes their ctime;
  // git would otherwise read every file again to know it did not change.
  await git(root, ['-c', 'core.quotepath=off', '-c', 'core.trustctime=false', 'diff', '--no-color', '--no-ext-diff', '--no-textconv', '--find-renames', '--unified=0', base, '--'], { ...options, onLine });
  return { files, exceptionLines };
}

function stripPrefix(path: string, prefix: string): string {
  return path.startsWith(prefix) ? path.slice(prefix.length) : path;
}

/** `diff --git a/x b/x`: the path when both sides are the same (the usual case), else the b side. */
function headerPath(line: string): string {
  const rest = line.slice('diff --git '.length);
  if (rest.startsWith('"')) {
    const second = rest.indexOf(' "', 1);
    return stripPrefix(unquote(second > 0 ? rest.slice(second + 1) : rest), 'b/');
  }
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(2, half) === rest.slice(half + 3)) return rest.slice(half + 3);
  const at = rest.lastIndexOf(' b/');
  return at >= 0 ? rest.slice(at + 3) : rest;
}

/** A path as git prints it: C-quoted (`"a\"b\303\251"`) when it holds special characters. */
export function unquote(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"') || text.length < 2) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  const simple: Record<string, number> = { a: 7, b: 8, t: 9, n: 10, v: 11, f: 12, r: 13, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[i + 1] ?? '';
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i + 1, i + 4), 8));
      i += 3;
    } else {
      bytes.push(simple[next] ?? next.charCodeAt(0));
      i += 1;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}
