/**
 * `npm run proof`: runs the suites that establish the gate's guarantees (the same files `npm test`
 * runs), collects the figures they record (PRG_PROOF_FILE, see __tests__/guarantees/proof-counts.ts)
 * and prints the README's "Guarantees" section. Nothing in it is typed by hand: a suite that fails
 * prints no section at all (exit 1), and every "found" figure is one the suites assert to be 0.
 *
 *   npm run proof             print the section
 *   npm run proof -- --write  also replace the README's block between the guarantees markers
 *
 * The figures are deterministic (seeded corpora, fixed payload and fault lists, a fixed number of
 * secrets and places), so the README block changes only when the suites do.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const SUITES = [
  '__tests__/guarantees/workflow-commands.test.ts',
  '__tests__/guarantees/run-checks.test.ts',
  '__tests__/guarantees/bad-input.test.ts',
  '__tests__/integration/injection.test.ts',
  '__tests__/integration/faults-app.test.ts',
  '__tests__/integration/faults-services.test.ts',
  '__tests__/integration/faults-commands.test.ts',
  '__tests__/integration/no-leak.test.ts',
  '__tests__/integration/output-paths.test.ts',
];
const START = '<!-- guarantees:start -->';
const END = '<!-- guarantees:end -->';

type Record_ = { suite: string } & Record<string, number | string>;

function runSuites(): Record_[] {
  const dir = mkdtempSync(join(tmpdir(), 'prg-proof-'));
  const file = join(dir, 'proof.jsonl');
  writeFileSync(file, '');
  try {
    process.stderr.write(`running ${SUITES.length} suites (a few minutes)…\n`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=dot', ...SUITES], {
      cwd: root,
      env: { ...process.env, PRG_PROOF_FILE: file },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (result.status !== 0) {
      process.stderr.write('\nA guarantee suite failed: no figures to print.\n');
      process.exit(1);
    }
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record_);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const n = (value: number | string | undefined) => Number(value ?? 0).toLocaleString('en-US');

function one(records: Record_[], suite: string): Record_ {
  const found = records.filter((r) => r.suite === suite);
  if (found.length !== 1) throw new Error(`expected one record of ${suite}, got ${found.length}`);
  return found[0]!;
}

export function section(records: Record_[]): string {
  const choke = one(records, 'choke-point');
  const injection = one(records, 'injection');
  const faults = ['faults-app', 'faults-services', 'faults-commands'].map((s) => one(records, s));
  const bad = one(records, 'bad-input');
  const leak = one(records, 'no-leak');
  const paths = one(records, 'output-paths');
  const faultCases = faults.reduce((sum, r) => sum + Number(r.cases), 0);
  const faultSearches = faults.reduce((sum, r) => sum + Number(r.searches), 0);
  const searches = Number(leak.searches) + Number(injection.searches) + faultSearches;
  const zero = (...values: (number | string | undefined)[]) => values.every((v) => Number(v) === 0);
  if (!zero(injection.unintendedCommands, injection.leaks, bad.uncaught, bad.stackTraces, bad.hangs, leak.leaks, choke.commandsFound, paths.hangs, ...faults.map((f) => f.leaks))) {
    throw new Error('a suite recorded a non-zero "found" figure while passing: fix the suite');
  }
  return [
    '## Guarantees',
    '',
    'Printed by `npm run proof` from the suites that establish them (they run in `npm test` too). Each',
    '"found" figure is asserted to be 0, so a regression fails the tests rather than changing this table.',
    '',
    '| guarantee | what was tried | found |',
    '|---|---|---|',
    `| Nothing the gate prints acts as a workflow command | ${n(injection.payloadsInjected)} payloads injected (${n(injection.payloadKinds)} kinds: \`::stop-commands::\`, \`::add-mask::\`, \`::error\`, \`::notice\`, \`::group::\`, the legacy \`##[…]\` form, leading blanks, zero-width and other ignorable characters…) in ${n(injection.places)} places: every app variable (step environment and env file), config values, the app's JSON, HTML, headers and cookies, database rows, Stripe names, configuration errors, the command line; ${n(injection.visibleLines)} log lines of ${n(injection.runs)} runs of the bundle read with the runner's own rules, plus ${n(choke.lines)} lines out of the choke point for ${n(choke.texts)} hostile texts | 0 commands the gate did not send; all ${n(injection.annotations)} annotations it meant to send present |`,
    `| The report is always written, and says what could not be checked | ${n(faultCases)} faults, each against a baseline run of the same checks: the app refused, down on every port, hung, trickling, 500, a 50 MB body, 40 KiB and 300 KiB of headers, a redirect loop, plain HTTP on the TLS port, a wrong-host and an expired certificate, no DNS; PostgreSQL down, hanging, refusing the password, without TLS; Stripe 500, 429, hanging; Sentry down; the GitHub API 500 and hanging; a hanging command, 100 MB of output with and without newlines, a rule that never settles, the job cancelled (also while the report path had become a named pipe); with \`unreachable: warn\`, every unreachable component and every real failure (a refused password, an expired certificate, a 500) | 0 runs without report, summary or outputs; 0 rules changed outside the fault; 0 affected rules without the component and the cause; 0 "could not check" without the \`unreachable: <component>\` phrase and its JSON field; 0 real failures lowered by \`unreachable: warn\` |`,
    `| Every file the gate writes is checked first | ${n(paths.paths)} unwritable paths for \`report-path\`, \`sarif-path\`, the step summary and the command line's \`--report-path\` (\`/proc\`, \`/sys\`, a directory, \`/dev/full\`, a path under a regular file) | 0 hangs; ${n(paths.exit2)} configuration errors with exit code 2 naming the input; ${n(paths.errorReports)} JSON reports holding the configuration error; 0 outputs naming a file that was not written |`,
    `| Bad input is a clear error | ${n(bad.cases)} generated cases (seeded): ${n(bad.configFiles)} config files, ${n(bad.inputs)} inputs, ${n(bad.appVariables)} app variables, ${n(bad.envFiles)} env files; ${n(bad.usageErrors)} usage errors, ${n(bad.unparseableVariables)} unparseable URL variables, ${n(bad.cliSamples)} through the command line (exit 2) | 0 uncaught errors, 0 stack traces, 0 hangs, 0 usage errors that do not name their input |`,
    `| No secret leaks | ${n(searches)} searches (secret × ${n(leak.formKinds)} forms × place: raw, URL-encoded, base64 at each alignment, hex, JSON/JS-escaped) in stdout, stderr, the summary, the outputs, the JSON report, SARIF, the PR comment and the check run, over every run above, including a build that prints every secret in every form and a command that prints an 18-character slice of one | 0 found; 0 runs of 12 characters of a secret |`,
  ].join('\n');
}

function writeReadme(text: string): void {
  const path = join(root, 'README.md');
  const readme = readFileSync(path, 'utf8');
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`README.md has no ${START} … ${END} block`);
  writeFileSync(path, `${readme.slice(0, start + START.length)}\n${text}\n${readme.slice(end)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = section(runSuites());
  process.stdout.write(`${text}\n`);
  if (process.argv.includes('--write')) {
    writeReadme(text);
    process.stderr.write('README.md: the guarantees block is up to date\n');
  }
}
