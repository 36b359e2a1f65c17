/**
 * Runs one of the gate's commands (install, migrate, build) through @actions/exec, in a shell so
 * that `npm ci && npm run x` works as it does in a workflow `run:` step. Output is streamed line by
 * line to the log and the last lines are kept for the summary.
 */
import * as exec from '@actions/exec';

export interface CommandResult {
  exitCode: number;
  durationMs: number;
  /** The last `tailLines` lines of stdout and stderr, interleaved as they came. */
  tail: string[];
  /** Every line, for pattern searches (bounded to keep memory flat on chatty builds). */
  text: string;
  /**
   * The first line that reports an error, when it scrolled out of the tail: npm prints the cause
   * first and pages of usage after it.
   */
  firstError?: string;
}

export interface RunCommandOptions {
  cwd: string;
  env: Readonly<Record<string, string>>;
  onLine?: (line: string) => void;
  tailLines?: number;
}

/** Bytes of output kept for error-code searches; a build log's useful part is its end. */
const MAX_KEPT_BYTES = 512 * 1024;

export async function runCommand(command: string, options: RunCommandOptions): Promise<CommandResult> {
  const tailLines = options.tailLines ?? 30;
  const tail: string[] = [];
  let text = '';
  let firstError: string | undefined;
  let lineNumber = 0;
  let firstErrorAt = 0;
  const onLine = (line: string) => {
    lineNumber++;
    if (firstError === undefined && /\b(error|ERR!|fatal)\b/i.test(line) && line.trim().length > 12) {
      firstError = line;
      firstErrorAt = lineNumber;
    }
    tail.push(line);
    if (tail.length > tailLines) tail.shift();
    text += `${line}\n`;
    if (text.length > MAX_KEPT_BYTES) text = text.slice(text.length - MAX_KEPT_BYTES / 2);
    options.onLine?.(line);
  };
  // Our own line splitting: @actions/exec's stdline/errline listeners drop a last line that has no
  // newline (it emits it as an event instead), and Prisma's last line is often the one that matters.
  const splitter = () => {
    let rest = '';
    return {
      push(chunk: Buffer) {
        const lines = (rest + chunk.toString('utf8')).split(/\r?\n/);
        rest = lines.pop() ?? '';
        for (const line of lines) onLine(line);
      },
      flush() {
        if (rest) onLine(rest);
        rest = '';
      },
    };
  };
  const out = splitter();
  const err = splitter();
  const [shell, args] = process.platform === 'win32' ? ['cmd.exe', ['/d', '/s', '/c', command]] : ['/bin/sh', ['-c', command]];
  const started = performance.now();
  let exitCode: number;
  try {
    exitCode = await exec.exec(shell, args, {
      cwd: options.cwd,
      env: { ...options.env },
      ignoreReturnCode: true,
      silent: true,
      windowsVerbatimArguments: process.platform === 'win32',
      listeners: { stdout: (b) => out.push(b), stderr: (b) => err.push(b) },
    });
    out.flush();
    err.flush();
  } catch (error) {
    // The shell itself could not start (cwd missing, no /bin/sh): report it as the command's failure.
    onLine(String((error as Error).message));
    exitCode = 127;
  }
  const inTail = firstErrorAt > lineNumber - tail.length;
  return { exitCode, durationMs: performance.now() - started, tail, text, firstError: inTail ? undefined : firstError };
}
