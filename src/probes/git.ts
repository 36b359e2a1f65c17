/**
 * Reading the app's git repository with the `git` command: tracked files, every blob reachable in
 * history, and where a blob first appeared. Everything streams (one record, one blob at a time), so
 * memory stays flat whatever the size of the repository. Read-only: no command here writes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';

/** Stderr kept for error messages (git's are short). */
const MAX_STDERR = 4096;

export class GitError extends Error {}

interface Git {
  child: ChildProcess;
  stdout: Readable;
  /** Resolves when the process exits; rejects with git's message on a non-zero exit (unless killed). */
  done: Promise<void>;
  kill(): void;
}

/** Starts `git <args>` in `cwd`; `stdin` may be another process's stdout (an OS pipe between them). */
function startGit(cwd: string, args: string[], options: { signal?: AbortSignal; stdin?: Readable | 'pipe' } = {}): Git {
  const child = spawn('git', args, { cwd, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'], windowsHide: true });
  const name = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? 'git';
  let stderr = '';
  let killed = false;
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (text: string) => {
    if (stderr.length < MAX_STDERR) stderr += text;
  });
  const kill = () => {
    killed = true;
    child.kill();
  };
  const onAbort = () => kill();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(new GitError(error.code === 'ENOENT' ? 'git is not installed (or not on PATH)' : `git ${name}: ${error.message}`));
    });
    child.on('close', (code) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (code === 0 || killed) resolve();
      else reject(new GitError(`git ${name} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`));
    });
  });
  // A failure is also reported by the caller awaiting `done`; never an unhandled rejection meanwhile.
  done.catch(() => undefined);
  return { child, stdout: child.stdout!, done, kill };
}

/** Runs a short git command and returns its stdout. */
export async function gitText(cwd: string, args: string[], signal?: AbortSignal): Promise<string> {
  const git = startGit(cwd, args, { signal });
  let out = '';
  git.stdout.setEncoding('utf8');
  for await (const chunk of git.stdout) out += chunk as string;
  await git.done;
  return out;
}

export interface GitRepository {
  /** Top of the work tree. */
  root: string;
  /** `cwd` relative to the root, with a trailing `/` (empty at the root). */
  prefix: string;
  /** A shallow clone (actions/checkout's default `fetch-depth: 1`) has only part of its history. */
  shallow: boolean;
}

/** The repository `cwd` is in, or undefined when it is not in a git work tree. */
export async function gitRepository(cwd: string, signal?: AbortSignal): Promise<GitRepository | undefined> {
  let out: string;
  try {
    out = await gitText(cwd, ['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--show-prefix', '--is-shallow-repository'], signal);
  } catch (error) {
    if (error instanceof GitError && /not a git repository/i.test(error.message)) return undefined;
    throw error;
  }
  const [inside, root, prefix, shallow] = out.split('\n');
  if (inside !== 'true') return undefined;
  return { root: root ?? cwd, prefix: prefix ?? '', shallow: shallow === 'true' };
}

/**
 * Splits a byte stream into records ending in `separator` (NUL or newline), as strings, a chunk's
 * worth at a time (one await per chunk, not per record: ls-files of a big repository is 100k records).
 */
async function* recordBatches(stream: Readable, separator: number): AsyncGenerator<string[]> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    const data = rest.length > 0 ? Buffer.concat([rest, chunk as Buffer]) : (chunk as Buffer);
    const batch: string[] = [];
    let start = 0;
    for (let end = data.indexOf(separator, start); end !== -1; end = data.indexOf(separator, start)) {
      batch.push(data.toString('utf8', start, end));
      start = end + 1;
    }
    rest = data.subarray(start);
    if (batch.length > 0) yield batch;
  }
  if (rest.length > 0) yield [rest.toString('utf8')];
}

/** The records of `recordBatches` one by one. */
async function* records(stream: Readable, separator: number): AsyncGenerator<string> {
  for await (const batch of recordBatches(stream, separator)) yield* batch;
}

export interface TrackedFile {
  /** `100644`, `100755`; `120000` is a symlink, `160000` a submodule. */
  mode: string;
  /** The blob id in the index. */
  blob: string;
  /** Relative to `cwd`, `/`-separated. */
  path: string;
}

/**
 * Files git tracks under `cwd` (`git ls-files -s -z`), in batches as they stream; each path once.
 */
export async function* trackedFiles(cwd: string, signal?: AbortSignal): AsyncGenerator<TrackedFile[]> {
  const git = startGit(cwd, ['ls-files', '--stage', '-z'], { signal });
  try {
    let last = '';
    for await (const batch of recordBatches(git.stdout, 0)) {
      const files: TrackedFile[] = [];
      for (const record of batch) {
        // `<mode> <blob> <stage>\t<path>`; a conflicted path appears once per stage.
        const tab = record.indexOf('\t');
        const path = record.slice(tab + 1);
        if (tab === -1 || path === last) continue;
        last = path;
        const [mode, blob] = record.slice(0, tab).split(' ');
        files.push({ mode: mode!, blob: blob!, path });
      }
      yield files;
    }
    await git.done;
  } finally {
    git.kill();
  }
}

export interface HistoryBlob {
  id: string;
  /** One path the blob had (relative to the repository root). */
  path: string;
  size: number;
  /**
   * Undefined when the blob was not read (over `maxBytes`). Valid until the next blob is pulled:
   * the bytes live in a buffer reused for every blob.
   */
  content?: Buffer;
}

/**
 * Every blob reachable from any ref (or from `revs`: `['HEAD', '^<base>']` for a change's own
 * commits), once each: `git rev-list --objects --all` piped into
 * `git cat-file --batch-check` (type and size, no content), then the wanted blobs through
 * `git cat-file --batch`, parsed as they stream. Blobs in `skip` are not read; blobs over `maxBytes`
 * are yielded without content.
 */
export async function* historyBlobs(
  root: string,
  options: { skip: ReadonlySet<string>; maxBytes: number; signal?: AbortSignal; revs?: readonly string[] },
): AsyncGenerator<HistoryBlob> {
  const { signal } = options;
  const list = startGit(root, ['rev-list', '--objects', ...(options.revs ?? ['--all']), '--'], { signal });
  const check = startGit(root, ['cat-file', '--buffer', '--batch-check=%(objectname) %(objecttype) %(objectsize) %(rest)'], { signal, stdin: list.stdout });
  // The listing now flows through an OS pipe between the two processes; the parent's copy of its
  // end is closed, or the listing process would never count as closed.
  list.stdout.destroy();
  const read = startGit(root, ['cat-file', '--buffer', '--batch=%(objectname) %(objectsize) %(rest)'], { signal, stdin: 'pipe' });
  const input = read.child.stdin!;
  input.on('error', () => undefined); // git exiting early is reported through `done`
  const huge: HistoryBlob[] = [];

  // Feeds the wanted blob ids to `cat-file --batch` while its output is consumed below.
  const feeding = (async () => {
    try {
      for await (const line of records(check.stdout, 10)) {
        const [id, type, size, ...path] = line.split(' ');
        if (type !== 'blob' || !id || options.skip.has(id)) continue;
        if (Number(size) > options.maxBytes) {
          huge.push({ id, path: path.join(' '), size: Number(size) });
          continue;
        }
        if (!input.write(`${id} ${path.join(' ')}\n`)) await new Promise((resolve) => input.once('drain', resolve));
      }
      await Promise.all([list.done, check.done]);
    } finally {
      input.end();
    }
  })();
  feeding.catch(() => undefined);

  try {
    let buffer: Buffer = Buffer.alloc(0);
    let scratch = Buffer.allocUnsafe(64 * 1024);
    let pending: { id: string; path: string; size: number; content: Buffer; filled: number } | undefined;
    for await (const chunk of read.stdout) {
      buffer = buffer.length > 0 ? Buffer.concat([buffer, chunk as Buffer]) : (chunk as Buffer);
      for (;;) {
        if (pending) {
          const take = Math.min(pending.size - pending.filled, buffer.length);
          buffer.copy(pending.content, pending.filled, 0, take);
          pending.filled += take;
          buffer = buffer.subarray(take);
          // The content is followed by a newline.
          if (pending.filled < pending.size || buffer.length < 1) break;
          buffer = buffer.subarray(1);
          const { id, path, size, content } = pending;
          pending = undefined;
          yield { id, path, size, content };
          continue;
        }
        const nl = buffer.indexOf(10);
        if (nl === -1) break;
        const header = buffer.toString('utf8', 0, nl);
        buffer = buffer.subarray(nl + 1);
        const [id, size, ...path] = header.split(' ');
        if (size === 'missing' || !id) continue;
        // One buffer for every blob, grown as needed: reading history allocates nothing per blob.
        if (Number(size) > scratch.length) scratch = Buffer.allocUnsafe(Math.max(Number(size), scratch.length * 2));
        pending = { id, path: path.join(' '), size: Number(size), content: scratch.subarray(0, Number(size)), filled: 0 };
      }
    }
    await Promise.all([feeding, read.done]);
    yield* huge;
  } finally {
    list.kill();
    check.kill();
    read.kill();
  }
}

/** The content of one blob as it streams (`git cat-file blob`): for blobs too large to hold whole. */
export async function* blobChunks(root: string, id: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
  const git = startGit(root, ['cat-file', 'blob', id], { signal });
  try {
    for await (const chunk of git.stdout) yield chunk as Buffer;
    await git.done;
  } finally {
    git.kill();
  }
}

export interface Introduction {
  commit: string;
  /** Commit time, seconds since the epoch. */
  time: number;
  /** Path relative to the repository root. */
  path: string;
  /** Position in history, oldest first (for picking the first of several). */
  order: number;
}

/**
 * The oldest commit (and path) that added each of `blobs`: one pass of `git log --all --reverse
 * --raw` over the history, stopped as soon as every blob is placed. A blob that only a merge
 * resolution introduced is not placed (merges have no diff in this listing).
 */
export async function blobIntroductions(root: string, blobs: ReadonlySet<string>, signal?: AbortSignal, revs: readonly string[] = ['--all']): Promise<Map<string, Introduction>> {
  const found = new Map<string, Introduction>();
  if (blobs.size === 0) return found;
  const git = startGit(root, ['-c', 'core.quotepath=off', 'log', ...revs, '--reverse', '--no-renames', '--raw', '--no-abbrev', '--format=%x00%H %ct', '--'], { signal });
  let commit = '';
  let time = 0;
  let order = 0;
  let early = false;
  try {
    for await (const line of records(git.stdout, 10)) {
      if (line.startsWith('\u0000')) {
        const [hash, seconds] = line.slice(1).split(' ');
        commit = hash ?? '';
        time = Number(seconds);
        order++;
      } else if (line.startsWith(':')) {
        // `:<mode> <mode> <src> <dst> <status>\t<path>`
        const tab = line.indexOf('\t');
        const dst = line.slice(0, tab).split(' ')[3];
        if (dst && blobs.has(dst) && !found.has(dst)) {
          found.set(dst, { commit, time, path: line.slice(tab + 1), order });
          if (found.size === blobs.size) {
            early = true;
            break;
          }
        }
      }
    }
    // Read to the end: git's exit status says whether the listing was whole.
    if (!early) await git.done;
  } finally {
    git.kill();
  }
  return found;
}

/**
 * The run's git client (`clients.git()`): the read-only git commands above, run in the app's working
 * directory, or at the repository's top (`root`, from `repository()`) for what spans the repository.
 */
export class GitClient {
  constructor(readonly cwd: string) {}

  /** Runs a short git command in the working directory; rejects with a GitError on failure. */
  text(args: string[], signal?: AbortSignal): Promise<string> {
    return gitText(this.cwd, args, signal);
  }

  repository(signal?: AbortSignal): Promise<GitRepository | undefined> {
    return gitRepository(this.cwd, signal);
  }

  /** The tracked files under `dir` (default: the working directory). */
  trackedFiles(signal?: AbortSignal, dir = this.cwd): AsyncGenerator<TrackedFile[]> {
    return trackedFiles(dir, signal);
  }

  historyBlobs(root: string, options: Parameters<typeof historyBlobs>[1]): AsyncGenerator<HistoryBlob> {
    return historyBlobs(root, options);
  }

  blobChunks(root: string, id: string, signal?: AbortSignal): AsyncGenerator<Buffer> {
    return blobChunks(root, id, signal);
  }

  blobIntroductions(root: string, blobs: ReadonlySet<string>, signal?: AbortSignal, revs?: readonly string[]): Promise<Map<string, Introduction>> {
    return blobIntroductions(root, blobs, signal, revs);
  }
}
