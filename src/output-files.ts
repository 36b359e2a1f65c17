/**
 * The files the gate writes (the JSON report, SARIF, and on a runner the step summary and the outputs
 * file), checked before any rule runs and written so that no write can hang the run.
 *
 * Why not `mkdirSync(dir, { recursive: true })` and `writeFileSync`: under `/proc` the recursive mkdir
 * never returns (the kernel answers ENOENT for the missing child and EEXIST for its parent, and Node
 * retries forever), and being synchronous it blocks the event loop, so neither the run's deadline nor
 * SIGTERM can end it. Opening a FIFO for writing blocks until a reader comes; a character device such as
 * `/dev/full` fails every write. So a path is accepted only when it is, or will be, a regular file on a
 * real filesystem, every missing directory is created one level at a time (each step a single
 * syscall that fails at once), and files are opened with O_NONBLOCK and checked to be regular files
 * before a byte is written.
 */
import { accessSync, closeSync, constants, fstatSync, mkdirSync, openSync, realpathSync, statfsSync, statSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';

/**
 * Kernel filesystems whose files are not storage (statfs `f_type`, from linux/magic.h): a report there
 * is lost or refused, and some calls on them never return.
 */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0xcafe4a11, 'bpf'],
  [0x42494e4d, 'binfmt_misc'],
  [0x6e736673, 'nsfs'],
  [0x50495045, 'pipefs'],
  [0x534f434b, 'sockfs'],
]);

/** What a node at a path is, in words, for the error: "a directory", "a character device". */
function kindOf(stats: import('node:fs').Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** The error of a path the gate cannot write, naming the input (or variable) that gave it. */
function refuse(input: string, path: string, why: string, what: string): UsageError {
  return new UsageError(`${input}: cannot write ${path}: ${why}. ${what}`);
}

/**
 * Checks that `path` can be written as a regular file: it is one already (or nothing is there), the
 * nearest existing ancestor is a directory on a real filesystem, and the gate may create files in it.
 * Throws a UsageError naming `input` and the reason. Creates nothing.
 */
export function checkWritableFile(path: string, input: string): void {
  const what = `Give ${input} a file path in a writable directory (for example under $RUNNER_TEMP).`;
  if (!isAbsolute(path)) path = resolve(path);
  if (path.endsWith(sep) || path.endsWith('/.') || path.endsWith('/..')) throw refuse(input, path, 'it names a directory, not a file', what);
  let existing: import('node:fs').Stats | undefined;
  try {
    existing = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw refuse(input, path, `a part of it is a file, not a directory (${firstFileAncestor(path) ?? 'a parent'})`, what);
    if (code === 'EACCES') throw refuse(input, path, 'permission denied on a directory of the path', what);
    if (code === 'ELOOP') throw refuse(input, path, 'its symbolic links loop', what);
    if (code !== 'ENOENT') throw refuse(input, path, code ?? 'it cannot be inspected', what);
  }
  if (existing && !existing.isFile()) throw refuse(input, path, `it is ${kindOf(existing)}`, what);
  // The nearest ancestor that exists: a directory, on storage, where this user may create files.
  let ancestor = dirname(path);
  for (;;) {
    let stats: import('node:fs').Stats;
    try {
      stats = statSync(ancestor);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && dirname(ancestor) !== ancestor) {
        ancestor = dirname(ancestor);
        continue;
      }
      if (code === 'ENOTDIR') throw refuse(input, path, `a part of it is a file, not a directory (${firstFileAncestor(path) ?? 'a parent'})`, what);
      throw refuse(input, path, `${ancestor} cannot be inspected (${code ?? 'error'})`, what);
    }
    if (!stats.isDirectory()) throw refuse(input, path, `${ancestor} is ${stats.isFile() ? 'a file' : kindOf(stats)}, not a directory`, what);
    break;
  }
  const real = safeRealpath(ancestor);
  const pseudo = filesystemOf(real);
  if (pseudo) throw refuse(input, path, `${real} is on the kernel's ${pseudo} filesystem, which holds no files`, what);
  try {
    accessSync(existing ? path : ancestor, existing ? constants.W_OK : constants.W_OK | constants.X_OK);
  } catch {
    throw refuse(input, path, existing ? 'the file is not writable by this user' : `this user may not create files in ${ancestor}`, what);
  }
}

function safeRealpath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The name of the pseudo filesystem `path` is on, or undefined for real storage. */
function filesystemOf(path: string): string | undefined {
  try {
    return PSEUDO_FILESYSTEMS.get(Number(statfsSync(path).type));
  } catch {
    return undefined;
  }
}

/** The first component of `path` that exists and is not a directory (for "under a file" errors). */
function firstFileAncestor(path: string): string | undefined {
  const parts = path.split(sep);
  for (let i = 2; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join(sep) || sep;
    try {
      if (!statSync(prefix).isDirectory()) return prefix;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Writes `text` to `path` as a regular file, creating missing directories one level at a time.
 * Synchronous (the last guard writes from a signal handler) but never blocking on anything but the
 * disk: O_NONBLOCK makes a FIFO that appeared since the check fail at once instead of waiting for a
 * reader, and the open file must be a regular file before anything is written. Throws on failure.
 */
export function writeRegularFile(path: string, text: string, flags: 'truncate' | 'append' = 'truncate'): void {
  makeDirectories(dirname(path));
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK | constants.O_NOCTTY | (flags === 'append' ? constants.O_APPEND : constants.O_TRUNC), 0o644);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new Error(`${path} is ${kindOf(stats)}, not a regular file`);
    const bytes = Buffer.from(text, 'utf8');
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  } finally {
    closeSync(fd);
  }
}

/** `mkdir -p` without Node's recursive mode (which never returns under /proc): one level at a time. */
function makeDirectories(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw new Error(`${d} is not a directory`);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(d) === d) throw error;
      missing.push(d);
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** The files a run writes, each checked; an unwritable one is left out and becomes a problem. */
export interface OutputTargets {
  reportPath?: string;
  sarifPath?: string;
  /** The runner's step summary file (`GITHUB_STEP_SUMMARY`). */
  summaryPath?: string;
  /** The runner's outputs file (`GITHUB_OUTPUT`); when it is set but unwritable, no output is set. */
  outputsPath?: string;
  outputsBroken: boolean;
  /** One configuration error per unwritable path, naming its input or variable. */
  problems: UsageError[];
}

/** Checks every path the run will write, before any rule runs. Never throws. */
export function checkOutputTargets(paths: { reportPath?: string; sarifPath?: string }, env: Record<string, string | undefined>): OutputTargets {
  const targets: OutputTargets = { outputsBroken: false, problems: [] };
  const check = (path: string | undefined, label: string): string | undefined => {
    if (!path) return undefined;
    try {
      checkWritableFile(path, label);
      return path;
    } catch (error) {
      targets.problems.push(error instanceof UsageError ? error : new UsageError(`${label}: cannot write ${path}`));
      return undefined;
    }
  };
  targets.reportPath = check(paths.reportPath, 'report-path');
  targets.sarifPath = check(paths.sarifPath, 'sarif-path');
  targets.summaryPath = check(env.GITHUB_STEP_SUMMARY || undefined, 'GITHUB_STEP_SUMMARY');
  targets.outputsPath = check(env.GITHUB_OUTPUT || undefined, 'GITHUB_OUTPUT');
  targets.outputsBroken = Boolean(env.GITHUB_OUTPUT) && !targets.outputsPath;
  return targets;
}
