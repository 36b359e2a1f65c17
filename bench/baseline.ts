/**
 * Benchmark (issue 21, comparison with the base on pull requests): what the base pass adds. A
 * generated repository of 20,000 files (about 40 MB of code-like text, the app's deploy files, a
 * migration history, a secret committed long ago) with a pull request that adds a secret, a `db push`
 * and a migration, checked out as GitHub tests it (the merge commit). The repository rules run:
 *
 * - on the change alone (`new-findings-only: false`): the time of the repository rules;
 * - compared with the base (`pull_request`): the same, plus finding the base, `git worktree add`,
 *   `git diff -M`, and the repository rules once more on the base.
 *
 *   npx tsx bench/baseline.ts [files]        (npm run bench:baseline)
 *
 * Prints the medians of BENCH_RUNS=3 interleaved runs (after one warm-up of each), the comparison's
 * parts, and the ratio of what the comparison adds to the repository rules' own time: the target is
 * at most 1.00 (the base pass adds at most the time of the repository rules once more). Each run is a
 * child process running this script bundled to JavaScript, as the action runs its bundle (worker
 * threads then load plain JavaScript). The repository lives under os.tmpdir() and is deleted at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { runGate } from '../src/gate.js';
import { loadSettings } from '../src/settings.js';

const here = fileURLToPath(import.meta.url);
const CHECKS = 'gate.no-db-push,gate.migration-safety,security.committed-secrets,security.workflow-secrets,security.rollback,security.docs';

if (!isMainThread) {
  // A worker thread of the secret scan: src/analysis/secrets/worker.ts (imported through the rules) does the work.
} else if (process.argv[2] === '--run') {
  // Child: one run of the gate, timed around runGate.
  const [, , , dir, mode, eventPath] = process.argv;
  const settings = await loadSettings({
    inputs: { 'working-directory': dir!, checks: CHECKS, 'install-command': '', 'build-command': '', 'pr-comment': 'false', 'github-token': '', 'new-findings-only': mode === 'compare' ? 'auto' : 'false' },
    env: { GITHUB_EVENT_NAME: 'pull_request', GITHUB_EVENT_PATH: eventPath! },
    cwd: dir!,
  });
  const started = performance.now();
  const log = { info: (m: string) => (process.env.BENCH_VERBOSE ? console.error(`${(performance.now() - started).toFixed(0)} ms ${m}`) : undefined), output: () => undefined, group: <T>(_n: string, fn: () => Promise<T>) => fn() };
  const report = await runGate(settings, { log });
  const ms = performance.now() - started;
  const rulesMs = Math.max(...report.rules.map((r) => r.durationMs));
  console.log(JSON.stringify({ ms, rulesMs, baseline: report.baseline ?? null, ready: report.ready }));
  process.exit(0);
} else {
  await main();
}

async function main(): Promise<void> {
  const RUNS = Number(process.env.BENCH_RUNS ?? 3);
  const fileCount = Number(process.argv[2] ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'prg-bench-baseline-'));
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', '-c', 'gc.auto=0', '-c', 'core.hooksPath=/dev/null', ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 30,
    })
      .toString()
      .trim();
  try {
    const t0 = performance.now();
    const WORDS = 'const let function return import export from await async value data user team stripe price service config error session account billing invoice plan feature webhook event handler request response prisma next auth provider callback public test build cache'.split(' ');
    const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
    const line = () => Array.from({ length: 4 + Math.floor(Math.random() * 8) }, () => pick(WORDS)).join(' ') + `; // ${randomBytes(6).toString('hex')}`;
    let bytes = 0;
    for (let i = 0; i < fileCount; i++) {
      const path = join(dir, 'src', `m${i % 200}`, `file${i}.ts`);
      if (i % 200 === i) mkdirSync(dirname(path), { recursive: true });
      const text = Array.from({ length: 30 }, line).join('\n') + '\n';
      bytes += text.length;
      writeFileSync(path, text);
    }
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    const scripts = (migrate: string) => `${JSON.stringify({ name: 'acme-saas', private: true, scripts: { build: 'next build', 'db:migrate': migrate, 'setup:db': 'prisma db push' } }, null, 2)}\n`;
    write('package.json', scripts('prisma migrate deploy'));
    write('.github/workflows/deploy.yml', 'name: Deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v5\n      - run: npm run db:migrate\n');
    for (let m = 0; m < 50; m++) write(`prisma/migrations/2024${String(m).padStart(6, '0')}_m${m}/migration.sql`, `CREATE TABLE "T${m}" ("id" TEXT NOT NULL);\n`);
    for (const doc of ['deployment-guide', 'billing-integration-guide', 'migration-operations-runbook', 'release-checklist', 'environment-commands-playbook']) write(`docs/${doc}.md`, `# ${doc}\n\n## Rollback\n\nRedeploy the previous tag.\n`);
    const liveKey = () => ['sk', 'live', `51${randomBytes(48).toString('base64url').replace(/[-_]/g, 'a')}`].join('_');
    write('src/legacy/keys.ts', `export const key = "${liveKey()}";\n`);
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'main');
    git('tag', 'v1.0.0');
    git('checkout', '-q', '-b', 'feature');
    write('src/m7/client.ts', `export const key = "${liveKey()}";\n`);
    write('package.json', scripts('prisma db push'));
    write('prisma/migrations/20250101000000_drop/migration.sql', 'DROP TABLE "T3";\n');
    for (let i = 0; i < 100; i++) write(`src/m${i % 200}/file${i}.ts`, `${line()}\n`.repeat(31));
    git('add', '-A');
    git('commit', '-q', '-m', 'feature');
    const head = git('rev-parse', 'HEAD');
    git('checkout', '-q', '--detach', 'main');
    git('merge', '-q', '--no-ff', '--no-edit', 'feature');
    const base = git('rev-parse', 'HEAD^1');
    git('repack', '-a', '-d', '-q');
    const eventPath = eventPathOf(dir);
    writeFileSync(eventPath, JSON.stringify({ pull_request: { number: 1, commits: 1, base: { ref: 'main', sha: base }, head: { ref: 'feature', sha: head } } }));
    console.log(`repository: ${fileCount + 57} files, ${(bytes / 1e6).toFixed(0)} MB; a PR of 104 changed files, checked out at its merge commit; generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    const bundle = join(dirname(here), '..', 'node_modules', '.cache', 'prg-bench', 'baseline.mjs');
    const { build } = await import('esbuild');
    await build({ entryPoints: [here], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, packages: 'external', logLevel: 'error' });
    type Run = { ms: number; cpuMs: number; rulesMs: number; baseline: { durationMs: number; made: boolean; reason?: string; counts: Record<string, number> } | null; ready: boolean };
    // GNU time gives the CPU time of the run with its git processes and worker threads: on a shared
    // machine the wall-clock time follows the other tenants' load, the CPU time much less.
    const time = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', 'CPU %U %S'] : [];
    const once = (mode: 'head' | 'compare'): Run => {
      const [command, ...args] = [...time, process.execPath, bundle, '--run', dir, mode, eventPath];
      const out = spawnSync(command!, args, { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (out.status !== 0) throw new Error(`run failed: ${out.stderr}`);
      if (process.env.BENCH_VERBOSE) process.stderr.write(out.stderr.replace(/^CPU .*\n?/m, ''));
      const cpu = /^CPU ([\d.]+) ([\d.]+)/m.exec(out.stderr);
      return { ...(JSON.parse(out.stdout.trim().split('\n').pop()!) as Run), cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
    };
    once('head');
    const warm = once('compare');
    if (!warm.baseline?.made) throw new Error(`no comparison: ${warm.baseline?.reason}`);
    const heads: Run[] = [];
    const compares: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      heads.push(once('head'));
      compares.push(once('compare'));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const head1 = median(heads.map((r) => r.ms));
    const cmp = median(compares.map((r) => r.ms));
    const basePart = median(compares.map((r) => r.baseline!.durationMs));
    const headCpu = median(heads.map((r) => r.cpuMs));
    const cmpCpu = median(compares.map((r) => r.cpuMs));
    const counts = compares[0]!.baseline!.counts;
    console.log(`machine: ${availableParallelism()} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log(`repository rules on the change alone (new-findings-only: false): median ${head1.toFixed(0)} ms (${heads.map((r) => r.ms.toFixed(0)).join(', ')})`);
    console.log(`compared with the base (pull_request): median ${cmp.toFixed(0)} ms (${compares.map((r) => r.ms.toFixed(0)).join(', ')}); verdict: ${counts.new} new, ${counts.updated} updated, ${counts.existing} existing, ${counts.fixed} fixed`);
    console.log(`  base worktree, diff and base pass: median ${basePart.toFixed(0)} ms (they run beside the change's own rules)`);
    console.log(`added by the comparison (wall clock): ${(cmp - head1).toFixed(0)} ms = ${((cmp - head1) / head1).toFixed(2)} × the repository rules' time (target ≤ 1.00)`);
    if (!Number.isNaN(headCpu)) {
      console.log(`CPU time (user + system, git and worker threads included): change alone ${headCpu.toFixed(0)} ms, compared ${cmpCpu.toFixed(0)} ms`);
      console.log(`added by the comparison (CPU): ${(cmpCpu - headCpu).toFixed(0)} ms = ${((cmpCpu - headCpu) / headCpu).toFixed(2)} × the repository rules' CPU time (target ≤ 1.00)`);
    }
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept: ${dir} (event ${eventPathOf(dir)})`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

function eventPathOf(dir: string): string {
  return join(dir, '..', `${dir.split('/').pop()}-event.json`);
}
