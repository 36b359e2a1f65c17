/**
 * `npm run demo [-- --scenario NAME] [--log] [--list]`
 *
 * Starts the sandbox app, runs the built action (dist/index.js, under Node 24) against it exactly as
 * a runner would, shows the console report, and says where the job summary and JSON report were
 * written. Exit code: the action's (0 ready, 1 not ready).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Redactor } from '../src/redact.js';
import { renderConsole } from '../src/report/index.js';
import type { Report } from '../src/engine/types.js';
import { SCENARIOS, startSandbox } from '../sandbox/index.js';
import { runAction } from './run-action.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', short: 's', default: 'good' },
    log: { type: 'boolean', default: false },
    list: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help || values.list) {
  process.stdout.write('npm run demo -- [--scenario NAME] [--log]\n\nScenarios:\n');
  for (const [name, s] of Object.entries(SCENARIOS)) process.stdout.write(`  ${name.padEnd(30)} ${s.description}\n`);
  process.exit(0);
}
const scenario = values.scenario!;
if (!SCENARIOS[scenario]) {
  process.stderr.write(`unknown scenario "${scenario}"; npm run demo -- --list shows them\n`);
  process.exit(2);
}

const color = process.stdout.isTTY === true;
const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[0m` : s);
process.stderr.write(dim(`Starting the sandbox app (scenario: ${scenario}) …\n`));
const sandbox = await startSandbox({ scenario, quiet: true });
let exitCode: number;
try {
  process.stderr.write(dim(`${sandbox.description}\nRunning dist/index.js under Node 24 as a runner would …\n`));
  const run = await runAction({
    inputs: { ...sandbox.inputs },
    // The runner's npm configuration (the registry and its token), as setup-node leaves it.
    env: { ...sandbox.env, ...sandbox.processEnv },
    onStdout: values.log ? (chunk) => process.stderr.write(dim(chunk)) : undefined,
  });
  exitCode = run.exitCode;
  const reportPath = run.outputs['report-path'];
  if (!reportPath) {
    process.stderr.write(`The action wrote no report (exit code ${run.exitCode}). Its log:\n${run.stdout}${run.stderr}`);
  } else {
    const report = JSON.parse(readFileSync(reportPath, 'utf8')) as Report;
    process.stdout.write(renderConsole(report, { redactor: new Redactor(sandbox.secrets), color }));
    const annotations = run.stdout.split('\n').filter((l) => /^::(error|warning|notice)/.test(l)).length;
    process.stdout.write(
      `\nJob summary:  ${run.summaryPath}\nJSON report:  ${reportPath}\nAnnotations:  ${annotations} workflow commands in the step log${values.log ? '' : ' (--log shows the log)'}\n` +
        `Step outputs: ${Object.entries(run.outputs).map(([k, v]) => `${k}=${v}`).join(' ')}\nExit code:    ${run.exitCode}\n`,
    );
  }
} finally {
  await sandbox.stop();
}
process.exit(exitCode);
