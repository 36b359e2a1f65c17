/**
 * `npm run sandbox -- [--scenario NAME] [--dir DIR] [--delay-ms N] [--json] [--list]`
 *
 * Starts the sandbox, prints what a user would give the gate (the app's variables as `export` lines,
 * the action inputs, the equivalent CLI flags), and keeps it running until Ctrl-C.
 * Progress goes to stderr, the environment to stdout, so `… > sandbox.sh` captures just the exports.
 */
import { parseArgs } from 'node:util';
import { SCENARIOS, startSandbox, type Sandbox } from './index.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs({
      options: {
        scenario: { type: 'string', short: 's', default: 'good' },
        dir: { type: 'string' },
        'delay-ms': { type: 'string', default: '0' },
        json: { type: 'boolean', default: false },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.list) {
    const width = Math.max(...Object.keys(SCENARIOS).map((n) => n.length));
    for (const [name, scenario] of Object.entries(SCENARIOS)) {
      process.stdout.write(`${name.padEnd(width)}  ${scenario.description}\n`);
    }
    return 0;
  }
  if (!SCENARIOS[args.scenario]) {
    process.stderr.write(`unknown scenario "${args.scenario}" (npm run sandbox -- --list)\n`);
    return 2;
  }

  const delay = args['delay-ms'];
  if (!/^\d+$/.test(delay)) {
    process.stderr.write(`--delay-ms must be a whole number of milliseconds (got "${delay}")\n${USAGE}`);
    return 2;
  }
  const sandbox = await startSandbox({ scenario: args.scenario, dir: args.dir, responseDelayMs: Number(delay) });
  process.stdout.write(args.json ? `${JSON.stringify(describe(sandbox), null, 2)}\n` : render(sandbox));
  process.stderr.write('sandbox: running; press Ctrl-C to stop\n');

  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        process.stderr.write(`sandbox: ${signal} again, exiting without waiting\n`);
        process.exit(130);
      }
      stopping = true;
      process.stderr.write(`\nsandbox: ${signal}, stopping…\n`);
      const t0 = Date.now();
      sandbox
        .stop()
        .then(() => process.stderr.write(`sandbox: stopped in ${Date.now() - t0} ms\n`))
        .catch((err: unknown) => process.stderr.write(`sandbox: stop failed: ${String(err)}\n`))
        .finally(resolve);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return 0;
}

const USAGE = `usage: npm run sandbox -- [--scenario NAME] [--dir DIR] [--delay-ms N] [--json] [--list]
  --scenario, -s  the scenario to run (default: good)
  --dir           working directory, kept after stop (default: a temp directory, removed)
  --delay-ms      delay every app response (HTTPS and HTTP) by N ms: a slow deployment (default 0)
  --json          print the environment and inputs as JSON
  --list          list the scenarios
`;

function describe(sandbox: Sandbox) {
  return {
    scenario: sandbox.scenario,
    description: sandbox.description,
    env: sandbox.env,
    processEnv: sandbox.processEnv,
    inputs: sandbox.inputs,
    envFile: sandbox.envFile,
    appStarted: sandbox.app !== undefined,
    appError: sandbox.appError?.message,
  };
}

/** Single-quoted for POSIX shells. */
function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function render(sandbox: Sandbox): string {
  const lines: string[] = [];
  lines.push(`# Sandbox scenario "${sandbox.scenario}": ${sandbox.description}`);
  if (sandbox.appError) lines.push(`# The app refused to start: ${sandbox.appError.message}`);
  lines.push('', "# The app's environment, as a user gives it to the gate:");
  for (const [key, value] of Object.entries(sandbox.env)) lines.push(`export ${key}=${sh(value)}`);
  lines.push('', "# The runner's npm configuration (the registry npm uses, with its token), as setup-node leaves it:");
  for (const [key, value] of Object.entries(sandbox.processEnv)) lines.push(`export ${key}=${sh(value)}`);

  lines.push('', '# Gate inputs (GitHub Action). @actions/core reads INPUT_<NAME> with the hyphens kept, which');
  lines.push('# a shell cannot export, hence env(1):');
  const inputEnv = Object.entries(sandbox.inputs).map(([name, value]) => sh(`INPUT_${name.toUpperCase()}=${value}`));
  lines.push(`env ${inputEnv.join(' \\\n    ')} \\\n    node dist/index.js`);

  lines.push('', '# The same as command-line flags (--dotenv is the env-file input; add --run-commands for the build gate):');
  const flags: string[] = [`--dotenv ${sh(sandbox.envFile)}`];
  for (const [name, value] of Object.entries(sandbox.inputs)) {
    if (name === 'resolve') for (const line of sandbox.resolve) flags.push(`--resolve ${sh(line)}`);
    else flags.push(`--${name} ${sh(value)}`);
  }
  lines.push(`node dist/cli/index.js ${flags.join(' \\\n    ')}`);

  lines.push('', '# Try it by hand:');
  const resolveFlags = sandbox.resolve.map((r) => `--resolve ${r}`).join(' ');
  const port = sandbox.ports.https === 443 ? '' : `:${sandbox.ports.https}`;
  lines.push(`curl ${resolveFlags} --cacert ${sh(sandbox.caFile)} -i https://${sandbox.hosts.app}${port}/api/health`);
  return `${lines.join('\n')}\n`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`sandbox: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
