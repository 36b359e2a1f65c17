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
  APP_URL: 'https://app.acme-saas.com',
  NEXTAUTH_URL: 'https://app.acme-saas.com',
  NEXTAUTH_SECRET: 'Jd8s0Qm2vX+LkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0s=',
  GITHUB_CLIENT_ID: 'Ov23liAbCdEfGhIjKlMn',
  GITHUB_CLIENT_SECRET: '4f9c2a7e1b8d3f6a0c5e9b2d7f1a4c8e6b3d0f92',
  STRIPE_SECRET_KEY: ['sk', 'live', '51NQ7cT2mVb9KpL3sR8wX1yZ4aB6dE0fG'].join('_'),
  STRIPE_WEBHOOK_SECRET: 'whsec_T3mP9xK2vQ8nL5wR1yB7cD4fG6hJ0kM',
  STRIPE_SYNC_SECRET: '9e1f4b7c2a8d5e0f3b6c9a2d5e8f1b4c7a0d3e6f9b2c5a8d1e4f7b0c3a6d9e2f',
  ENABLE_HSTS: 'true',
  ENABLE_CSP_STRICT: 'true',
  ENABLE_COEP: 'true',
  NEXTAUTH_TRUST_HOST: 'false',
  NEXTAUTH_DEBUG: 'false',
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
