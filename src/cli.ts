/**
 * The command line: the same rules as the action, for a person's machine.
 *   production-readiness-gate [--dotenv .env.production] [--checks config,security] [--json]
 * Every action input is also a flag of the same name, except `env-file`, which is `--dotenv` here
 * (Node itself takes `--env-file`). Exit code 0 ready, 1 not ready, 2 usage error.
 *
 * Read-only by default: unlike the action in a deploy job, the command line runs no install, migrate
 * or build command unless asked (`--run-commands`, or a command or `--migrate` flag given explicitly):
 * a person trying it in a directory must not get `npm ci` run, nor their shell's DATABASE_URL migrated.
 */
import { parseArgs } from 'node:util';
import { errorMessage, UsageError } from './errors.js';
import type { Logger, Report } from './engine/types.js';
import { configurationErrorReport, runGate, validateSelection } from './gate.js';
import { INPUTS, type RawInputs } from './inputs.js';
import { checkOutputTargets, writeRegularFile, type OutputTargets } from './output-files.js';
import { Redactor } from './redact.js';
import { renderConsole, renderJson, renderSarif } from './report/index.js';
import { loadSettings, outputPaths, type Settings } from './settings.js';
import { APP_VARIABLES, SECRET_VARIABLES } from './target-app.js';
import { VERSION } from './version.js';
import { workflowSafeText } from './workflow-text.js';

export interface CliIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
}

/** Inputs that are not flags: no PR to comment on from a terminal; `env-file` is `--dotenv`. */
const NOT_FLAGS = new Set(['github-token', 'pr-comment', 'env-file']);

const HELP = `Usage: production-readiness-gate [options]

Checks whether a Next.js + NextAuth + Prisma + Stripe + Sentry app may go live.
The app's variables (APP_URL, DATABASE_URL, NEXTAUTH_SECRET, STRIPE_SECRET_KEY, …) are read from the
environment and from --dotenv.

  --dotenv FILE            a dotenv file with the app's variables (the action's env-file input);
                           variables already in the environment win
  --run-commands           run the build gate's install and build commands (read-only otherwise:
                           no command runs unless asked)
  --migrate true           also run the migrate command: it changes the database in DATABASE_URL

Options that mirror the action's inputs:
${INPUTS.filter((i) => !NOT_FLAGS.has(i.name))
  .map((i) => `  --${i.name.padEnd(22)} ${i.description}${i.default ? ` [${i.default}]` : ''}`)
  .join('\n')}
  --json                   print the JSON report instead of the console report
  --verbose                show progress, command output and passing rules' details
  --no-color               plain output even on a terminal
  -h, --help, --version

Examples:
  production-readiness-gate --dotenv .env.production --checks config
  production-readiness-gate --dotenv .env.production --checks config,security --sarif-path readiness.sarif
  production-readiness-gate --dotenv .env.production --checks gate --run-commands

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
  // Node takes --env-file before the script, and some versions anywhere on the line: a missing file
  // then ends the process ("node: x.env: not found", exit 9) before we run. If it reaches us, say why.
  if (io.argv.some((a) => a === '--env-file' || a.startsWith('--env-file='))) {
    io.stderr.write('production-readiness-gate: --env-file is an option of Node itself; give the dotenv file with --dotenv FILE\n');
    return 2;
  }
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {
    dotenv: { type: 'string' },
    'run-commands': { type: 'boolean' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
    'no-color': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
    version: { type: 'boolean' },
  };
  for (const spec of INPUTS) if (!NOT_FLAGS.has(spec.name)) options[spec.name] = { type: 'string' };
  // Like curl, --resolve may be given once per host.
  options.resolve = { type: 'string', multiple: true };
  let values: Record<string, string | boolean | undefined>;
  try {
    const parsed = parseArgs({ args: io.argv, options, allowPositionals: false, strict: true }).values as Record<string, string | string[] | boolean | undefined>;
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
    if (typeof value === 'string' && !NOT_FLAGS.has(spec.name)) inputs[spec.name] = value;
  }
  if (typeof values.dotenv === 'string') inputs['env-file'] = values.dotenv;
  inputs['pr-comment'] = 'false';
  inputs['github-token'] = '';
  const readOnly = readOnlyDefaults(inputs, values['run-commands'] === true);

  // Until the settings are loaded, mask what is known to be secret: secret inputs and variables.
  let redactor = new Redactor([
    ...INPUTS.filter((i) => i.secret).map((i) => inputs[i.name]),
    ...SECRET_VARIABLES.map((name) => io.env[name]),
  ]);
  // With --json, stdout is the report alone: notes go to stderr.
  const notes = values.json ? io.stderr : io.stdout;
  const started = new Date();
  // The report files are checked before anything runs (a directory, a device, /proc: exit 2 now).
  const targets = checkOutputTargets(outputPaths(inputs, {}, io.cwd), {});
  try {
    if (targets.problems.length > 0) throw targets.problems[0];
    const settings = await loadSettings({ inputs, env: io.env, cwd: io.cwd }).catch((error: unknown) => {
      // The error names the input; on the command line that input is the --dotenv flag.
      if (error instanceof UsageError && error.message.startsWith('env-file:')) throw new UsageError(`--dotenv${error.message.slice('env-file'.length)}`);
      throw error;
    });
    redactor = new Redactor(settings.secrets);
    const selected = validateSelection(settings);
    if (![...APP_VARIABLES, ...Object.keys(settings.app.variables.read)].some((name) => settings.env[name])) io.stderr.write(noVariablesHint(settings));
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
    const written = writeReports(report, targets, redactor, settings.sarifCategory);
    io.stdout.write(values.json ? renderJson(report, { redactor }) : renderConsole(report, { redactor, color, verbose: Boolean(values.verbose) }));
    const skipped = readOnlyNote(report, readOnly, selected.map((r) => r.meta.id));
    if (skipped) notes.write(skipped);
    if (written.length) notes.write(`${written.join('\n')}\n`);
    return report.ready ? 0 : 1;
  } catch (error) {
    const message = redactor.redact(errorMessage(error));
    // The report files that can be written hold the error too, for a script that reads them.
    let written: string[] = [];
    try {
      written = writeReports(configurationErrorReport(message, started), targets, redactor);
    } catch {
      // The message below is what matters; the file that could not be written is named in it already.
    }
    io.stderr.write(`production-readiness-gate${error instanceof UsageError ? '' : ' stopped'}: ${message}\n`);
    if (written.length) io.stderr.write(`${written.join('\n')}\n`);
    return 2;
  }
}

/** The JSON report and SARIF at the paths that passed the check; the lines that name what was written. */
function writeReports(report: Report, targets: OutputTargets, redactor: Redactor, sarifCategory?: string): string[] {
  const written: string[] = [];
  const write = (path: string | undefined, input: string, label: string, text: () => string) => {
    if (!path) return;
    try {
      writeRegularFile(path, text());
      written.push(`${label} ${path}`);
    } catch (error) {
      throw new UsageError(`${input}: cannot write ${path} (${errorMessage(error)})`);
    }
  };
  write(targets.reportPath, 'report-path', 'JSON report:', () => renderJson(report, { redactor }));
  write(targets.sarifPath, 'sarif-path', 'SARIF:      ', () => renderSarif(report, { redactor, toolVersion: VERSION, category: sarifCategory }));
  return written;
}

/**
 * Fills the command inputs the person did not give: empty (not run) unless `--run-commands`; the
 * migrate step only with `--migrate true|auto`, because it writes to the database. Returns which steps
 * were left out this way, for the note after the report.
 */
function readOnlyDefaults(inputs: RawInputs, runCommands: boolean): string[] {
  const left: string[] = [];
  for (const name of ['install-command', 'build-command'] as const) {
    if (inputs[name] === undefined && !runCommands) {
      inputs[name] = '';
      left.push(name === 'install-command' ? 'gate.install' : 'gate.build');
    }
  }
  if (inputs.migrate === undefined) {
    inputs.migrate = 'false';
    left.push('gate.migrate');
  }
  return left;
}

function readOnlyNote(report: Report, leftOut: string[], selected: string[]): string {
  const skipped = leftOut.filter((id) => selected.includes(id) && report.rules.find((r) => r.id === id)?.status === 'skip');
  if (skipped.length === 0) return '';
  const how = [
    skipped.some((id) => id !== 'gate.migrate') ? '--run-commands runs the install and build commands' : '',
    skipped.includes('gate.migrate') ? '--migrate true also runs the migrate command against DATABASE_URL' : '',
  ].filter(Boolean);
  return `Read-only run: ${skipped.join(', ')} not run (the command line runs no command unless asked); ${how.join('; ')}.\n`;
}

function noVariablesHint(settings: Settings): string {
  const where = settings.envFile ? `the environment nor ${settings.envFile}` : 'the environment (and no --dotenv file was given)';
  const roles = settings.app.variables.roles;
  const names = [roles.appUrl?.name ?? 'APP_URL', roles.databaseUrl?.name ?? 'DATABASE_URL', roles.authSecret?.name ?? 'NEXTAUTH_SECRET', roles.stripeSecretKey?.name].filter(Boolean);
  return (
    `production-readiness-gate: no app variable found in ${where}: the config rules will fail and the live checks have no ${names[0]} to probe. ` +
    `Give the app's variables (${names.join(', ')}, …) with --dotenv .env.production, or export them.\n`
  );
}

