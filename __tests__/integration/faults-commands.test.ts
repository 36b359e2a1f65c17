/**
 * The fault matrix, the gate's own work: a command that hangs, one that prints 100 MB (in lines, and
 * as one line without a newline), a rule whose promise never settles, and the job cancelled (SIGTERM)
 * while a command runs. No sandbox: a temporary repository and shell commands. Judged by
 * guarantees/fault-matrix.ts against a baseline run where every command is `true`.
 *
 * Slow-ish: 20-25 s measured on a loaded 2-core machine. The hanging command waits for its 3 s bound
 * and the TERM-then-KILL of its process group; each 100 MB case pushes 100 MB through a pipe.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runAction, type ActionRun } from '../../scripts/run-action.js';
import { baselines, runFault, type FaultCase } from '../guarantees/fault-matrix.js';
import { recordProof } from '../guarantees/proof-counts.js';
import { assertNoLeak, assertOnlyGateCommands, assertWritten, runPlaces, visibleLog, type JsonReport } from '../guarantees/run-checks.js';
import { tempRepo } from '../helpers.js';

const TIMEOUT = { timeout: 240_000 };
const CHECKS = ['config.enable-hsts', 'gate.install', 'gate.migrate', 'gate.build'];
const GATE = ['gate.install', 'gate.migrate', 'gate.build'];
const HUNDRED_MB = 100 * 1024 * 1024;

let repo: { dir: string; cleanup(): void };
let baseline: (checks: readonly string[]) => Promise<JsonReport>;
const proof = { cases: 0, searches: 0 };

/** Variables with secrets in them, so the leak search has something to find. */
const ENV = {
  ENABLE_HSTS: 'true',
  NEXTAUTH_SECRET: 'Kq2vX8LkP4r9TzWn6bY1cHfA3gE5uK7oR2iM0sJd8s0Q',
  STRIPE_SECRET_KEY: ['sk', 'live', '51FaultMatrix7cT2mVb9KpL3sR8wX1yZ4aB6dE0f'].join('_'),
};
const SECRETS = [ENV.NEXTAUTH_SECRET, ENV.STRIPE_SECRET_KEY];
const GOOD = { 'install-command': 'true', 'migrate-command': 'true', 'build-command': 'true' };

const inputs = () => ({ 'working-directory': repo.dir, ...GOOD });

/** Waits (without a bound of its own: the test's timeout is the bound) until `check` holds. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 100));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A command that writes its shell's pid (the leader of its process group) and then hangs. */
const hangingCommand = (name: string) => `echo $$ > ${name}.pid; exec sleep 3000`;
const pidOf = (name: string) => Number(readFileSync(join(repo.dir, `${name}.pid`), 'utf8').trim());

const cases: FaultCase[] = [
  {
    name: 'a command that hangs is ended at command-timeout-minutes, with its process group',
    checks: CHECKS,
    affected: GATE,
    mustChange: ['gate.install'],
    named: ['gate.install'],
    component: /sleep 3000/,
    cause: /did not finish within 3 s \(command-timeout-minutes\); the gate ended its process tree/,
    arrange: async () => ({ inputs: { 'install-command': hangingCommand('hang'), 'command-timeout-minutes': '0.05' } }),
    verify: async () => {
      await until(() => !alive(pidOf('hang')));
    },
  },
  {
    name: 'a command printing 100 MB of lines: the log gets a bounded share and a note',
    checks: CHECKS,
    affected: GATE,
    ready: true,
    component: /./,
    cause: /./,
    arrange: async () => ({ inputs: { 'install-command': `yes 'a line of build output 0123456789' | head -c ${HUNDRED_MB}` } }),
    verify: (run, report) => {
      const install = report.rules.find((r) => r.id === 'gate.install')!;
      assert.equal(install.status, 'pass');
      assert.equal(install.data?.outputBytes, HUNDRED_MB, 'every byte was read');
      assert.ok(run.stdout.length < 4 * 1024 * 1024, `the step log got ${run.stdout.length} characters`);
      assert.match(run.stdout, /… [\d,]+ of [\d,]+ lines \(100\.0 MB in all\) are left out of the log; the last 30:/);
    },
  },
  {
    name: 'a command printing 100 MB without a newline: one line, cut',
    checks: CHECKS,
    affected: GATE,
    ready: true,
    component: /./,
    cause: /./,
    arrange: async () => ({ inputs: { 'install-command': `head -c ${HUNDRED_MB} /dev/zero | tr '\\0' a` } }),
    verify: (run, report) => {
      const install = report.rules.find((r) => r.id === 'gate.install')!;
      assert.equal(install.status, 'pass');
      assert.equal(install.data?.outputBytes, HUNDRED_MB);
      assert.equal(install.data?.outputLines, 1);
      assert.ok(run.stdout.length < 1024 * 1024, `the step log got ${run.stdout.length} characters`);
      assert.match(run.stdout, /^a{2000} … \(104,855,600 more characters\)$/m);
    },
  },
  {
    // A slice of a secret is not a known encoding of it: only the 12-character pieces catch it.
    name: 'a command prints an 18-character slice of a secret (cut -c3-20): masked in the log, summary and reports',
    checks: CHECKS,
    affected: GATE,
    mustChange: ['gate.install'],
    named: ['gate.install'],
    component: /cut -c3-20/,
    cause: /exited with code 1/,
    arrange: async () => ({ inputs: { 'install-command': 'printf "%s\\n" "$NEXTAUTH_SECRET" | cut -c3-20; exit 1' } }),
    verify: (run, report) => {
      const slice = ENV.NEXTAUTH_SECRET.slice(2, 20);
      // The log as a person sees it: the ::add-mask:: lines that register the whole secret are the runner's.
      for (const [place, text] of Object.entries({ stdout: visibleLog(run.stdout), stderr: run.stderr, summary: run.summary, report: JSON.stringify(report) })) {
        assert.ok(!text.includes(slice), `the slice is in the ${place}`);
        for (let i = 0; i + 12 <= slice.length; i++) assert.ok(!text.includes(slice.slice(i, i + 12)), `a 12-character piece is in the ${place}`);
      }
      assert.match(run.stdout, /^\*\*\*$/m, 'the line the command printed is there, masked');
    },
  },
  {
    name: 'the job is cancelled (SIGTERM) while a command runs: the report is written and the command ended',
    checks: CHECKS,
    affected: GATE,
    mustChange: ['gate.install'],
    named: GATE,
    component: /the step was ended \(SIGTERM\)/,
    cause: /not finished/,
    arrange: async () => ({
      inputs: { 'install-command': hangingCommand('cancel') },
      // As a runner cancels a job: SIGTERM to the step's process, once the command is running.
      onSpawn: (child) => {
        void until(() => existsSync(join(repo.dir, 'cancel.pid'))).then(() => child.kill('SIGTERM'));
      },
    }),
    verify: async (run) => {
      assert.match(run.stdout, /^::error::the step was ended \(SIGTERM\) before every rule finished\. Not ready to go live/m);
      await until(() => !alive(pidOf('cancel')));
    },
  },
];

describe('fault matrix: commands, a rule that never settles, a cancelled job', { concurrency: 3 }, () => {
  before(() => {
    repo = tempRepo({ 'package.json': '{"name":"app","private":true}' });
    baseline = baselines((checks) => runAction({ inputs: { ...inputs(), checks: checks.join(',') }, env: ENV }));
  });
  after(() => {
    repo?.cleanup();
    recordProof({ suite: 'faults-commands', ...proof, leaks: 0 });
  });

  for (const c of cases) {
    test(c.name, TIMEOUT, async () => {
      const result = await runFault(c, { inputs: inputs(), env: ENV, secrets: SECRETS, baseline });
      proof.cases++;
      proof.searches += result.searches;
    });
  }

  test('the job is cancelled while the report file has become a named pipe (a write that would block): the process ends, and no output names the report', TIMEOUT, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prg-fifo-'));
    const reportPath = join(dir, 'report.json');
    try {
      const checks = ['config.enable-hsts', 'gate.install'];
      const run = await runAction({
        inputs: { ...inputs(), checks: checks.join(','), 'install-command': hangingCommand('fifo'), 'report-path': reportPath },
        env: ENV,
        // The path was a free file name when the run checked it; then a FIFO takes its place, with no
        // reader: opening it for writing the usual way waits for a reader forever.
        onSpawn: (child) => {
          void until(() => existsSync(join(repo.dir, 'fifo.pid'))).then(() => {
            execFileSync('mkfifo', [reportPath]);
            child.kill('SIGTERM');
          });
        },
      });
      assert.equal(run.exitCode, 1);
      assert.match(run.stdout, /^::error::the step was ended \(SIGTERM\) before every rule finished/m);
      assert.match(run.stdout, /^::warning::could not write the JSON report \(report-path: .*report\.json\): .*not a regular file|ENXIO/m);
      assert.equal(run.outputs['report-path'], '', 'the output does not name a report that was not written');
      assert.equal(run.outputs.ready, 'false');
      assert.match(run.summary, /the step was ended \(SIGTERM\)/, 'the summary is still written');
      await until(() => !alive(pidOf('fifo')));
      proof.cases++;
      proof.searches += assertNoLeak(SECRETS, runPlaces(run)).searches;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a rule whose promise never settles is cut off at its bound; the process is not ended with exit 13', TIMEOUT, async () => {
    const entry = fileURLToPath(new URL('../guarantees/never-settles.ts', import.meta.url));
    const checks = ['config.enable-hsts', 'smoke.never-settles'];
    const run: ActionRun = await runAction({
      inputs: { ...inputs(), checks: checks.join(','), 'timeout-seconds': '1' },
      env: ENV,
      entry: ['--import', 'tsx', entry],
    });
    assert.notEqual(run.exitCode, 13, 'not "unsettled top-level await"');
    const report = assertWritten(run, checks);
    assertOnlyGateCommands(run, report);
    const rule = report.rules.find((r) => r.id === 'smoke.never-settles')!;
    assert.equal(rule.status, 'fail');
    assert.match(rule.summary, /^did not finish within 3 s; nothing was in flight \(the rule itself did not return\)$/);
    const reference = await baseline(CHECKS);
    assert.equal(report.rules.find((r) => r.id === 'config.enable-hsts')!.status, reference.rules.find((r) => r.id === 'config.enable-hsts')!.status);
    proof.cases++;
    proof.searches += assertNoLeak(SECRETS, runPlaces(run)).searches;
  });
});
