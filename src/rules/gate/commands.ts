/**
 * What gate.install, gate.migrate and gate.build share: the guide's CI sequence (install, `npx prisma
 * migrate deploy`, build: by default the lockfile's own install and the app's build script, see
 * src/analysis/app/model.ts), each step run in the app's working directory as a command of its own,
 * in that order. A step after a failed one is skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedKey, type SharedKey } from '../../engine/shared.js';
import type { Outcome, RuleContext } from '../../engine/types.js';
import { runCommand } from '../../probes/exec.js';
import { findPrismaErrors } from '../../analysis/migrations/prisma-errors.js';
import { classifyMigrationFailure, recoveryText, verificationText } from '../../analysis/migrations/runbook.js';

export const RUNBOOK = 'docs/migration-operations-runbook.md';
const TAIL_LINES = 30;

export type Step = 'install' | 'migrate' | 'build';

const INPUT: Record<Step, string> = { install: 'install-command', migrate: 'migrate-command', build: 'build-command' };

function commandOf(ctx: RuleContext, step: Step): string {
  const s = ctx.settings;
  return step === 'install' ? s.installCommand : step === 'migrate' ? s.migrateCommand : s.buildCommand;
}

/**
 * The failed step a skipped step was stopped by, published for the steps after it: a step skipped
 * because of a failure before it passes that failure on (install failed → migrate skipped → build
 * skipped, "not run: gate.install failed first").
 */
const BLOCKED_BY: Record<string, SharedKey<string>> = {
  'gate.migrate': sharedKey('gate.migrate', 'the failed step that stopped it'),
  'gate.build': sharedKey('gate.build', 'the failed step that stopped it'),
};

/** The earlier step that failed, if any: a later step is pointless after it. */
function failedBefore(ctx: RuleContext, ids: string[]): string | undefined {
  for (const id of ids) {
    if (ctx.results.get(id)?.status === 'fail') return id;
    const key = BLOCKED_BY[id];
    const blockedBy = key && ctx.shared.get(key);
    if (blockedBy) return blockedBy;
  }
  return undefined;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : n >= 1024 ? `${Math.round(n / 1024)} KB` : `${n} bytes`;
}

/** A fenced code block that the quoted output cannot close: the fence is longer than any run of backticks in it. */
export function fenced(text: string, language = 'text'): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : ms < 120_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * Runs one step, unless its command is empty or a step in `earlier` failed. `observe` sees every
 * output line (gate.build collects the warnings with it).
 */
export async function runStep(ctx: RuleContext, step: Step, earlier: string[], options: { observe?: (line: string) => void } = {}): Promise<Outcome> {
  const command = commandOf(ctx, step);
  if (!command) return { status: 'skip', summary: `${INPUT[step]} is empty, so the ${step} step is not run` };
  const failed = failedBefore(ctx, earlier);
  if (failed) {
    const key = BLOCKED_BY[`gate.${step}`];
    if (key) ctx.shared.set(key, failed);
    return { status: 'skip', summary: `not run: ${failed} failed first`, data: { blockedBy: failed } };
  }

  const cwd = ctx.settings.workingDirectory;
  const result = await ctx.log.group(`${step}: ${command}`, async () => {
    const r = await runCommand(command, {
      cwd,
      env: ctx.settings.commandEnv,
      onLine: (l) => ctx.log.output(l),
      observe: options.observe,
      tailLines: TAIL_LINES,
      timeoutMs: ctx.settings.commandTimeoutMs,
      signal: ctx.signal,
    });
    if (r.linesNotLogged > 0) {
      // The log got its share; the end of the output is what explains a failure, so it is shown too.
      ctx.log.info(
        `… ${r.linesNotLogged.toLocaleString('en-US')} of ${r.lines.toLocaleString('en-US')} lines (${formatBytes(r.bytes)} in all) are left out of the log; the last ${r.tail.length}:`,
      );
      for (const line of r.tail) ctx.log.output(line);
    }
    ctx.log.info(`${step}: ${r.endedBy ? `ended by the gate: ${r.endedBy}` : `exit code ${r.exitCode}`} after ${formatDuration(r.durationMs)}`);
    return r;
  });
  const took = formatDuration(result.durationMs);
  const data = { command, exitCode: result.exitCode, durationMs: Math.round(result.durationMs), outputLines: result.lines, outputBytes: result.bytes };
  if (result.exitCode === 0) return { status: 'pass', summary: `\`${command}\` succeeded in ${took}`, data };

  const first = result.firstError ? `First error line:\n\n${fenced(result.firstError)}\n\n` : '';
  const log = `${first}Last ${result.tail.length} lines of output:\n\n${fenced(result.tail.join('\n'))}`;
  if (result.endedBy) {
    return {
      status: 'fail',
      summary: `\`${command}\` ${result.endedBy}; the gate ended its process tree`,
      details: log,
      fix: `Find where \`${command}\` hangs or slows (the last lines are in the details), or raise command-timeout-minutes if it legitimately takes longer.`,
      data,
    };
  }
  if (step !== 'migrate') {
    // 127: the shell found no such command (pnpm, yarn or bun not set up on the runner).
    const tool = command.split(/\s+/)[0]!;
    const missingTool = result.exitCode === 127 && ['pnpm', 'yarn', 'bun'].includes(tool);
    return {
      status: 'fail',
      summary: missingTool ? `\`${command}\` could not start: ${tool} is not installed on the runner` : `\`${command}\` exited with code ${result.exitCode} after ${took}`,
      details: log,
      fix: missingTool
        ? `Set ${tool} up before the gate runs (${tool === 'pnpm' ? 'pnpm/action-setup, or `corepack enable`' : tool === 'yarn' ? '`corepack enable` for Yarn 2+' : 'oven-sh/setup-bun'}), or give install-command and build-command explicitly.`
        : `Run \`${command}\` locally in a clean checkout to reproduce; the end of its output is in the details.`,
      data,
    };
  }
  const errors = findPrismaErrors(result.text);
  const runbookText = readRunbook(cwd);
  const runbook = runbookText !== undefined ? ` Follow ${RUNBOOK}.` : '';
  const explained = errors.map((e) => `**${e.code}**: ${e.meaning}. ${e.action}`).join('\n\n');
  const known = errors[0];
  // Prisma names the migration it stopped at; the advice can then name it too.
  const migration = /The `([^`]+)` migration started at|Migration name: (\S+)/.exec(result.text);
  const name = migration?.[1] ?? migration?.[2];
  const action = known && name ? known.action.replaceAll('<name>', name) : known?.action;
  // The runbook's class of the failure (the database's SQLSTATE when Prisma quotes it), its recovery
  // steps as the fix, and its verification list as what the next run checks.
  const failure = classifyMigrationFailure(result.text);
  const recorded = name && errors.some((e) => e.code === 'P3018' || e.code === 'P3009') ? name : undefined;
  const classText = failure ? `; runbook class: ${failure.class.title} (${failure.source === 'database' ? `SQLSTATE ${failure.code}` : failure.code})` : '';
  return {
    status: 'fail',
    summary: known
      ? `\`${command}\` failed with ${known.code}: ${known.meaning}${classText}`
      : `\`${command}\` exited with code ${result.exitCode} after ${took}${classText}`,
    details: `${explained ? `${explained}\n\n` : ''}${log}${failure ? `\n\n${verificationText()}` : ''}`,
    fix: failure
      ? recoveryText(failure.class, { runbook: runbookText !== undefined ? RUNBOOK : undefined, runbookText, failedMigration: recorded })
      : `${action ?? 'Read the migration error above; do not deploy the new code until the database is migrated.'}${runbook}`,
    data: { ...data, prismaErrors: errors.map((e) => e.code), ...(failure ? { runbookClass: failure.class.id, errorCode: failure.code } : {}) },
  };
}

/** The app's migration runbook, when it has one (a few KB): its section names are quoted in the fix. */
export function readRunbook(cwd: string): string | undefined {
  const file = join(cwd, RUNBOOK);
  if (!existsSync(file)) return undefined;
  try {
    return readFileSync(file, 'utf8').slice(0, 256 * 1024);
  } catch {
    return undefined;
  }
}
