/**
 * Benchmark: the cost of starting the action. A config-only run of the built bundle (dist/index.js,
 * `checks: config`, the app's variables set but DATABASE_URL, so nothing leaves the machine) against a
 * bundle that holds only @actions/core and does what every action does at the least (read an input,
 * log a line, set an output), both under Node 24 as a runner starts them, and bare Node 24 for scale.
 *
 *   npm run bench:startup [-- --runs N]
 *
 * Each figure is the median wall time of N runs (default 21) after 3 warm-up runs. The goal: the
 * config-only run within 2× the @actions/core bundle.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { actionNode } from '../scripts/run-action.js';
import { goodEnv } from '../__tests__/helpers.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '21' } } });
const runs = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'prg-startup-'));

// The smallest honest action: @actions/core bundled the way dist/ is.
await build({
  absWorkingDir: root,
  stdin: {
    contents: "import * as core from '@actions/core';\nconst checks = core.getInput('checks');\ncore.info(`checks: ${checks}`);\ncore.setOutput('ready', 'true');\n",
    resolveDir: root,
    loader: 'ts',
  },
  outfile: join(dir, 'core-only.js'),
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  banner: { js: "import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);" },
});
writeFileSync(join(dir, 'empty.js'), '');

const repo = mkdtempSync(join(tmpdir(), 'prg-startup-repo-'));
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  RUNNER_TEMP: dir,
  GITHUB_OUTPUT: join(dir, 'output'),
  GITHUB_STEP_SUMMARY: join(dir, 'summary'),
  GITHUB_WORKSPACE: repo,
  INPUT_CHECKS: 'config',
  'INPUT_WORKING-DIRECTORY': repo,
  'INPUT_GITHUB-TOKEN': '',
  // The good environment of the tests, without DATABASE_URL: nothing leaves the machine.
  ...Object.fromEntries(Object.entries(goodEnv()).filter(([name]) => name !== 'DATABASE_URL')),
};
const node = actionNode();

function median(script: string): number {
  const times: number[] = [];
  for (let i = 0; i < runs + 3; i++) {
    writeFileSync(env.GITHUB_OUTPUT!, '');
    writeFileSync(env.GITHUB_STEP_SUMMARY!, '');
    const started = performance.now();
    const child = spawnSync(node, [script], { env, encoding: 'utf8' });
    const took = performance.now() - started;
    // Exit 1 is a finished run (DATABASE_URL is left out, so config.database-url fails): what counts is
    // that it got to the end and wrote its summary.
    if (script.endsWith('index.js') && (child.status === null || child.status > 1 || !readFileSync(env.GITHUB_STEP_SUMMARY!, 'utf8'))) {
      throw new Error(`the config-only run did not finish (${child.status}):\n${child.stdout}${child.stderr}`);
    }
    if (i >= 3) times.push(took);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const bare = median(join(dir, 'empty.js'));
const core = median(join(dir, 'core-only.js'));
const gate = median(join(root, 'dist/index.js'));
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
process.stdout.write(
  [
    `Node ${version}, median of ${runs} runs each:`,
    `  bare Node                         ${bare.toFixed(0).padStart(5)} ms`,
    `  bundle of @actions/core only      ${core.toFixed(0).padStart(5)} ms`,
    `  the gate, config-only run         ${gate.toFixed(0).padStart(5)} ms`,
    `  ratio gate / @actions/core bundle ${(gate / core).toFixed(2).padStart(5)}  (goal: at most 2)`,
    '',
  ].join('\n'),
);
