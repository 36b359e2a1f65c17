/**
 * The command line: the same rules as the action, for a person's machine.
 *   npx production-readiness-gate [--env-file .env.production] [--checks config,security] [--json]
 * Every action input is also a flag of the same name. Exit code 0 ready, 1 not ready, 2 usage error.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { errorMessage, UsageError } from './errors.js';
import type { Logger } from './engine/types.js';
import { runGate, validateSelection } from './gate.js';
import { INPUTS, type RawInputs } from './inputs.js';
import { Redactor } from './redact.js';
import { renderConsole, renderJson, renderSarif } from './report/index.js';
import { SECRET_VARIABLES, loadSettings } from './settings.js';
import { VERSION } from './version.js';
import { workflowSafeText } from './workflow-text.js';

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

const HELP = `Usage: production-readiness-gate [options]

Checks whether a Next.js + NextAuth + Prisma + Stripe + Sentry app may go live.
The app's variables (APP_URL, DATABASE_URL, NEXTAUTH_SECRET, STRIPE_SECRET_KEY, …) are read from the
environment and from --env-file.

Options (every action input is a flag of the same name):
${INPUTS.filter((i) => i.name !== 'github-token' && i.name !== 'pr-comment')
  .map((i) => `  --${i.name.padEnd(22)} ${i.description}${i.default ? ` [${i.default}]` : ''}`)
  .join('\n')}
  --json                   print the JSON report instead of the console report
  --verbose                show progress and passing rules' details
  --no-color               plain output even on a terminal
  --help, --version

Exit code: 0 ready, 1 not ready, 2 usage or config error.
`;

export async function cli(raw: CliIo): Promise<number> {
  // Run inside a workflow, the CLI's stdout is a step log too: no line it prints from text it does not
  // control may act as a workflow command (the user's own command output, with --verbose, excepted).
  // A terminal is not a step log, and keeps its colours (console.ts strips control characters from
  // rule text there).
  const io: CliIo = {
    ...raw,
    stdout: { write: (text: string) => raw.stdout.write(raw.stdout.isTTY ? text : workflowSafeText(text)), isTTY: raw.stdout.isTTY },
    stderr: { write: (text: string) => raw.stderr.write(workflowSafeText(text)) },
  };
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    help: { type: 'boolean' },
    version: { type: 'boolean' },
  };
  for (const spec of INPUTS) options[spec.name] = { type: 'string' };
  // Like curl, --resolve may be given once per host.
  const multiple = { ...options, resolve: { type: 'string' as const, multiple: true } };
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: io.argv, options: multiple, allowPositionals: false, strict: true }).values as Record<string, string | string[] | boolean | undefined>;
    values = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, Array.isArray(v) ? v.join('\n') : v]));
  } catch (error) {
    io.stderr.write(`production-readiness-gate: ${errorMessage(error)}\nRun with --help for the options.\n`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const inputs: RawInputs = {};
  for (const spec of INPUTS) {
    const value = values[spec.name];
    if (typeof value === 'string') inputs[spec.name] = value;
  }
  // No PR to comment on from a terminal; no workflow token default either.
  inputs['pr-comment'] = 'false';
  inputs['github-token'] ??= '';

  // Until the settings are loaded, mask what is known to be secret: secret inputs and variables.
  let redactor = new Redactor([
    ...INPUTS.filter((i) => i.secret).map((i) => inputs[i.name]),
    ...SECRET_VARIABLES.map((name) => io.env[name]),
  ]);
  try {
    const settings = await loadSettings({ inputs, env: io.env, cwd: io.cwd });
    redactor = new Redactor(settings.secrets);
    validateSelection(settings);
    const color = Boolean(io.stdout.isTTY) && !values['no-color'] && !io.env.NO_COLOR;
    const log: Logger = {
      info: (m) => {
        if (values.verbose) io.stderr.write(`${redactor.redact(m)}\n`);
      },
      output: (line) => {
        if (values.verbose) raw.stderr.write(`${redactor.redact(line)}\n`);
      },
      group: async (name, fn) => {
        if (values.verbose) io.stderr.write(`▸ ${redactor.redact(name)}\n`);
        return fn();
      },
    };
    const report = await runGate(settings, { log });
    if (settings.reportPath) await writeOut(settings.reportPath, renderJson(report, { redactor }), 'report-path');
    if (settings.sarifPath) await writeOut(settings.sarifPath, renderSarif(report, { redactor, toolVersion: VERSION }), 'sarif-path');
    io.stdout.write(values.json ? renderJson(report, { redactor }) : renderConsole(report, { redactor, color, verbose: Boolean(values.verbose) }));
    if (settings.reportPath && !values.json) io.stdout.write(`JSON report: ${settings.reportPath}\n`);
    return report.ready ? 0 : 1;
  } catch (error) {
    const message = redactor.redact(errorMessage(error));
    if (error instanceof UsageError) {
      io.stderr.write(`production-readiness-gate: ${message}\n`);
      return 2;
    }
    io.stderr.write(`production-readiness-gate stopped: ${message}\n`);
    return 2;
  }
}

async function writeOut(path: string, text: string, input: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text);
  } catch (error) {
    throw new UsageError(`${input}: cannot write ${path} (${errorMessage(error)})`);
  }
}
