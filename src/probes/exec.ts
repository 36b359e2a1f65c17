/**
 * Runs one of the gate's commands (install, migrate, build) in a shell, so that `npm ci && npm run x`
 * works as it does in a workflow `run:` step, within a time bound, with output handling that stays
 * linear in time and bounded in memory whatever the command prints.
 *
 * Why not @actions/exec: it joins the unfinished line with every new chunk and searches it again
 * (`strBuffer + data` then `indexOf`), which is quadratic on a long line without a newline (100 MB of
 * minified output never finishes), and it gives no handle on the child process, so a hanging command
 * cannot be ended. This module spawns the shell itself, in a process group of its own, and ends the
 * whole group (SIGTERM, then SIGKILL after a grace period) when the bound passes or the rule is
 * aborted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { track } from '../util/activity.js';

export interface CommandResult {
  /** The exit code, or null when the command was ended by a signal (its bound, an abort). */
  exitCode: number | null;
  /** Set when the gate ended the command: why, in words ("did not finish within 30 min"). */
  endedBy?: string;
  durationMs: number;
  /** The last `tailLines` lines of stdout and stderr, interleaved as they came (long lines cut). */
  tail: string[];
  /** The last `keptBytes` of output, for pattern searches (Prisma error codes). */
  text: string;
  /**
   * The first line that reports an error, when it scrolled out of the tail: npm prints the cause
   * first and pages of usage after it.
   */
  firstError?: string;
  /** Lines and bytes the command printed in all. */
  lines: number;
  bytes: number;
  /** Lines not passed to `onLine` because the log budget was spent. */
  linesNotLogged: number;
}

export interface RunCommandOptions {
  cwd: string;
  env: Readonly<Record<string, string>>;
  /** Each output line, while the log budget lasts (see `logBudgetBytes`). */
  onLine?: (line: string) => void;
  tailLines?: number;
  /** The bound; when it passes the process tree is ended. */
  timeoutMs: number;
  /** Time between SIGTERM and SIGKILL. Default 10 s. */
  graceMs?: number;
  /** Ends the command early (the rule's bound or the run's deadline). */
  signal?: AbortSignal;
  /** Bytes of output passed to `onLine` before the rest is only counted. Default 2 MiB. */
  logBudgetBytes?: number;
  /**
   * Every output line, whatever the log budget: for a scanner that keeps what it needs in bounded
   * memory (the build's warnings). Must be cheap: it runs once per line.
   */
  observe?: (line: string) => void;
}

/** A line longer than this is cut (minified bundles, progress bars without newlines). */
export const MAX_LINE_CHARS = 2000;
/** Bytes of the output's end kept for error-code searches; a build log's useful part is its end. */
const KEPT_BYTES = 512 * 1024;
const DEFAULT_LOG_BUDGET = 2 * 1024 * 1024;
// `ERR!` ends in a non-word character, so it needs no word boundary after it (npm's `npm ERR! …`).
const ERROR_LINE = /\b(?:error|fatal)\b|\bERR!/i;
/** After the shell exits, how long its stdio may stay open (a daemon it started keeps the pipes). */
const CLOSE_WAIT_MS = 2000;

/** Splits a byte stream into lines in one pass over each chunk; a line over the limit is cut. */
class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private parts: string[] = [];
  private partLength = 0;
  private dropped = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    let from = 0;
    for (;;) {
      const nl = text.indexOf('\n', from);
      if (nl === -1) break;
      this.append(text.slice(from, nl));
      this.emit();
      from = nl + 1;
    }
    if (from < text.length) this.append(text.slice(from));
  }

  flush(): void {
    const rest = this.decoder.end();
    if (rest) this.append(rest);
    if (this.partLength > 0 || this.dropped > 0) this.emit();
  }

  private append(piece: string): void {
    const room = MAX_LINE_CHARS - this.partLength;
    if (room <= 0) {
      this.dropped += piece.length;
      return;
    }
    const kept = piece.length > room ? piece.slice(0, room) : piece;
    this.parts.push(kept);
    this.partLength += kept.length;
    this.dropped += piece.length - kept.length;
  }

  private emit(): void {
    let line = this.parts.join('');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (this.dropped > 0) line += ` … (${this.dropped.toLocaleString('en-US')} more characters)`;
    this.parts = [];
    this.partLength = 0;
    this.dropped = 0;
    this.onLine(line);
  }
}

/** The last lines that fit in `maxChars`, kept in a queue whose removals cost O(1) (not `shift`). */
class LineWindow {
  private lines: string[] = [];
  private head = 0;
  private length = 0;

  constructor(private readonly maxChars: number) {}

  push(line: string): void {
    this.lines.push(line);
    this.length += line.length + 1;
    while (this.length > this.maxChars && this.lines.length - this.head > 1) {
      this.length -= this.lines[this.head]!.length + 1;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.head);
      this.head = 0;
    }
  }

  text(): string {
    return this.lines.slice(this.head).join('\n');
  }
}

export function runCommand(command: string, options: RunCommandOptions): Promise<CommandResult> {
  return track('command', command, execute(command, options));
}

async function execute(command: string, options: RunCommandOptions): Promise<CommandResult> {
  const tailLines = options.tailLines ?? 30;
  const logBudget = options.logBudgetBytes ?? DEFAULT_LOG_BUDGET;
  const tail: string[] = [];
  const kept = new LineWindow(KEPT_BYTES);
  let firstError: string | undefined;
  let firstErrorAt = 0;
  let lines = 0;
  let bytes = 0;
  let logged = 0;
  let linesNotLogged = 0;

  const onLine = (line: string) => {
    lines++;
    options.observe?.(line);
    if (firstError === undefined && ERROR_LINE.test(line) && line.trim().length > 12) {
      firstError = line;
      firstErrorAt = lines;
    }
    tail.push(line);
    if (tail.length > tailLines) tail.shift();
    kept.push(line);
    if (logged < logBudget) {
      logged += line.length + 1;
      options.onLine?.(line);
    } else {
      linesNotLogged++;
    }
  };
  const out = new LineSplitter(onLine);
  const err = new LineSplitter(onLine);

  const started = performance.now();
  const windows = process.platform === 'win32';
  let child: ChildProcess;
  try {
    child = spawn(windows ? 'cmd.exe' : '/bin/sh', windows ? ['/d', '/s', '/c', command] : ['-c', command], {
      cwd: options.cwd,
      env: { ...options.env },
      // A group of its own, so the whole tree (npm → node → next build workers) can be ended at once.
      detached: !windows,
      // No stdin: a command that prompts (prisma asking to reset) gets end-of-file, not a hang.
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsVerbatimArguments: windows,
    });
  } catch (error) {
    onLine(`the shell could not start: ${(error as Error).message}`);
    return finish(127);
  }

  liveGroups.add(child);
  let endedBy: string | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const end = (why: string) => {
    if (endedBy || child.exitCode !== null || child.signalCode !== null) return;
    endedBy = why;
    signalTree(child, 'SIGTERM');
    killTimer = setTimeout(() => signalTree(child, 'SIGKILL'), options.graceMs ?? 10_000);
  };
  const bound = setTimeout(() => end(`did not finish within ${formatMinutes(options.timeoutMs)} (command-timeout-minutes)`), options.timeoutMs);
  const onAbort = () => end(`stopped: ${String((options.signal?.reason as Error | undefined)?.message ?? 'aborted')}`);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();

  child.stdout!.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    out.push(chunk);
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    err.push(chunk);
  });

  const exitCode = await new Promise<number | null>((resolve) => {
    let closeWait: NodeJS.Timeout | undefined;
    child.on('error', (error) => {
      onLine(`the shell could not start: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code) => {
      // The shell is gone; its stdio may be held open by something it left running. Read what is
      // there, then stop waiting.
      closeWait = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        resolve(code);
      }, CLOSE_WAIT_MS);
    });
    child.on('close', (code) => {
      clearTimeout(closeWait);
      resolve(code);
    });
  });
  clearTimeout(bound);
  clearTimeout(killTimer);
  liveGroups.delete(child);
  options.signal?.removeEventListener('abort', onAbort);
  // Anything the command left behind in its group goes too: the step must not outlive the gate.
  if (!windows) signalTree(child, 'SIGKILL');
  out.flush();
  err.flush();
  return finish(endedBy ? null : exitCode, endedBy);

  function finish(code: number | null, why?: string): CommandResult {
    const inTail = firstErrorAt > lines - tail.length;
    return {
      exitCode: code,
      ...(why ? { endedBy: why } : {}),
      durationMs: performance.now() - started,
      tail,
      text: kept.text(),
      firstError: inTail ? undefined : firstError,
      lines,
      bytes,
      linesNotLogged,
    };
  }
}

/**
 * Commands still running. Should the gate itself be ended (the job cancelled), their process groups
 * go with it: they were started in groups of their own, which the runner's signal does not reach.
 */
const liveGroups = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of liveGroups) signalTree(child, 'SIGKILL');
});

function signalTree(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(child.pid), '/T', '/F'], { stdio: 'ignore' });
    } else {
      // The negative pid addresses the process group the shell leads.
      process.kill(-child.pid, signal);
    }
  } catch {
    // Already gone.
  }
}

function formatMinutes(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes >= 1) return `${Number.isInteger(minutes) ? minutes : minutes.toFixed(1)} min`;
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}
