/**
 * Benchmark (security.committed-secrets): a generated git repository of 20,000 text files (about
 * 210 MB) with a few planted secrets, scanned by the rule, next to `git grep -F` looking for the
 * same strings (every needle: the secret values in their encodings, and the credential anchors) in
 * the same tree on the same machine. The scan runs in a child process so its peak memory is its own.
 *
 *   npx tsx bench/secrets-scan.ts [files] [megabytes]
 *
 * Prints the warm scan's time and throughput next to git grep's (medians of BENCH_RUNS=5 interleaved
 * runs) and their ratio; the cold scan (every file of the repository evicted from the page cache
 * first, with posix_fadvise through python3) and its ratio to the warm one; the scan's peak RSS
 * (worker threads included) and the machine's load. Then the same repository with a second commit
 * that rewrote a tenth of the files, scanned with `scan-history: true`. The repository lives under
 * os.tmpdir() and is deleted at the end.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import { runRules } from '../src/engine/runner.js';
import { createClients } from '../src/probes/clients.js';
import { committedSecrets } from '../src/rules/security/committed-secrets.js';
import { CREDENTIAL_PATTERNS } from '../src/analysis/secrets/credential-shapes.js';
import { FORMAT_ANCHORS } from '../src/analysis/secrets/scanner.js';
import { secretNeedles } from '../src/analysis/secrets/patterns.js';
import { loadSettings } from '../src/settings.js';

const here = fileURLToPath(import.meta.url);

if (!isMainThread) {
  // A worker thread of the bundled scan child: src/analysis/secrets/worker.ts (imported above) does the work.
} else if (process.argv[2] === '--scan') {
  // Child: one scan, timed around the rule alone, with this process's peak memory.
  const [, , , dir, envJson, history] = process.argv;
  const settings = await loadSettings({
    inputs: { 'working-directory': dir!, 'scan-history': history === 'history' ? 'true' : 'false' },
    env: JSON.parse(envJson!) as Record<string, string>,
    cwd: dir!,
  });
  const clients = createClients(settings);
  const log = { info: () => undefined, output: () => undefined, group: <T>(_n: string, fn: () => Promise<T>) => fn() };
  const rssBefore = process.memoryUsage().rss;
  const started = performance.now();
  const [report] = await runRules([committedSecrets], { context: { settings, clients, log }, probeTimeoutMs: 600_000, commandTimeoutMs: 600_000 });
  const ms = performance.now() - started;
  await clients.close();
  console.log(JSON.stringify({ ms, rssBefore, maxRss: process.resourceUsage().maxRSS * 1024, status: report!.status, summary: report!.summary, details: report!.details ?? '', findings: report!.findings.length, data: report!.data }));
  process.exit(0);
}

if (isMainThread && process.argv[2] !== '--scan') await main();

async function main(): Promise<void> {
  const RUNS = Number(process.env.BENCH_RUNS ?? 5);
  const fileCount = Number(process.argv[2] ?? 20_000);
  const megabytes = Number(process.argv[3] ?? 210);

  /** Secrets of the run: random, in the shapes the app uses. */
  const env: Record<string, string> = {
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
    GITHUB_CLIENT_SECRET: randomBytes(20).toString('hex'),
    GOOGLE_CLIENT_SECRET: ['GOCSPX', randomBytes(21).toString('base64url')].join('-'),
    STRIPE_SECRET_KEY: ['sk', 'live', randomBytes(24).toString('base64url').replace(/[-_]/g, 'x')].join('_'),
    STRIPE_WEBHOOK_SECRET: ['whsec', randomBytes(24).toString('base64url').replace(/[-_]/g, 'y')].join('_'),
    STRIPE_SYNC_SECRET: randomBytes(32).toString('hex'),
    SENTRY_AUTH_TOKEN: `sntrys_${randomBytes(30).toString('base64url')}`,
    DATABASE_URL: `postgresql://app:${randomBytes(12).toString('base64url')}@db.acme-saas.com:5432/app?sslmode=verify-full`,
  };

  /** Text that looks like a code base: identifiers, words, numbers, paths, hashes. */
  const WORDS = 'const let function return import export from await async value data user team stripe price service config error session account billing invoice plan feature webhook event handler request response prisma migrate deploy next auth provider callback token secret key public private test build cache'.split(' ');
  const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;
  function line(): string {
    const r = Math.random();
    if (r < 0.05) return `  integrity: "sha512-${randomBytes(48).toString('base64')}",`;
    if (r < 0.08) return `  // https://github.com/acme/${pick(WORDS)}/blob/${randomBytes(20).toString('hex')}/src/${pick(WORDS)}.ts`;
    const words: string[] = [];
    const n = 3 + Math.floor(Math.random() * 10);
    for (let i = 0; i < n; i++) {
      const w = pick(WORDS);
      words.push(Math.random() < 0.2 ? `${w}${pick(WORDS)[0]!.toUpperCase()}${pick(WORDS).slice(1)}` : Math.random() < 0.1 ? String(Math.floor(Math.random() * 1e6)) : w);
    }
    return `${'  '.repeat(Math.floor(Math.random() * 4))}${words.join(pick([' ', ' ', '.', '(', ', ', ' = ']))}${pick([';', '', ' {', ')', ','])}`;
  }
  const POOL = Array.from({ length: 40_000 }, line);
  function content(bytes: number): string {
    const parts: string[] = [];
    let size = 0;
    while (size < bytes) {
      const l = POOL[Math.floor(Math.random() * POOL.length)]!;
      parts.push(l);
      size += l.length + 1;
    }
    return `${parts.join('\n')}\n`;
  }

  const dir = mkdtempSync(join(tmpdir(), 'prg-bench-secrets-'));
  // No background `gc --auto` competing with the measurements; the repository is packed explicitly,
  // as a clone is.
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=Bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', '-c', 'gc.auto=0', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 30 });
  try {
    const perFile = Math.round((megabytes * 1e6) / fileCount);
    const t0 = performance.now();
    let total = 0;
    for (let i = 0; i < fileCount; i++) {
      const sub = join(dir, 'src', `m${i % 200}`);
      if (i < 200) mkdirSync(sub, { recursive: true });
      let text = content(perFile * (0.5 + Math.random()));
      // A few planted secrets: raw, base64, in a URL, and a credential no one configured.
      if (i === 1234) text += `const key = '${env.STRIPE_SECRET_KEY}';\n`;
      if (i === 5678) text += `secret: ${Buffer.from(env.NEXTAUTH_SECRET!).toString('base64')}\n`;
      if (i === 9012) text += `url: ${env.DATABASE_URL}\n`;
      if (i === 15000) text += `token = "${['ghp', randomBytes(27).toString('base64url').replace(/[-_]/g, 'z').slice(0, 36)].join('_')}"\n`;
      writeFileSync(join(sub, `file${i}.ts`), text);
      total += Buffer.byteLength(text);
    }
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('commit', '-q', '-m', 'generated');
    git('repack', '-a', '-d', '-q');
    console.log(`repository: ${fileCount} files, ${(total / 1e6).toFixed(0)} MB, generated and committed in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dir})`);

    const settings = await loadSettings({ inputs: { 'working-directory': dir }, env, cwd: dir });
    const needles = secretNeedles(settings).map((n) => n.bytes.toString('utf8'));
    // The anchors as git grep can take them: a prefix the scan finds with one byte of context (`"SG.`)
  // or enumerated (Azure's 660 `dQ~x` windows) is given once, as its literal core (`SG.`, `Q~`).
  // The anchors of the formats read after the pass (a Kubernetes Secret, a Docker config) are searched too.
  const anchors = [...new Set([...CREDENTIAL_PATTERNS.flatMap((p) => (p.id === 'azure-ad-client-secret' ? ['Q~'] : p.back < 0 ? p.anchors.map((a) => a.slice(-p.back)) : p.anchors)), ...FORMAT_ANCHORS.flat()])];
    const strings = [...needles, ...anchors];

    // The scan child runs this script bundled to JavaScript, as the action runs its bundle: worker
    // threads then load plain JavaScript, not the TypeScript loader (which would dominate their start).
    const bundle = join(dirname(here), '..', 'node_modules', '.cache', 'prg-bench', 'secrets-scan.mjs');
    const { build } = await import('esbuild');
    await build({ entryPoints: [here], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: bundle, packages: 'external', logLevel: 'error' });
    const scanOnce = (history: boolean) => {
      const out = spawnSync(process.execPath, [bundle, '--scan', dir, JSON.stringify(env), history ? 'history' : 'tree'], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (out.status !== 0) throw new Error(`scan child failed: ${out.stderr}`);
      return JSON.parse(out.stdout.trim().split('\n').pop()!) as { ms: number; rssBefore: number; maxRss: number; status: string; summary: string; details: string; findings: number; data: Record<string, number> };
    };
    // git grep gets every string the scan looks for: the needles (with their split pieces) and the anchors.
    const patternFile = join(tmpdir(), `prg-bench-patterns-${process.pid}`);
    writeFileSync(patternFile, `${strings.join('\n')}\n`);
    const grepOnce = () => {
      const started = performance.now();
      const out = spawnSync('git', ['grep', '-F', '-l', '-f', patternFile], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
      if (out.status !== 0 && out.status !== 1) throw new Error(`git grep failed: ${out.stderr}`);
      return { ms: performance.now() - started, files: out.stdout.split('\n').filter(Boolean).length };
    };
    /**
     * Drops the repository's files (work tree and .git) from the OS page cache, as on a machine that
     * has not read them yet: posix_fadvise(DONTNEED) per file, through python3 (Node has no fadvise).
     * Returns false when python3 is missing.
     */
    const evict = () => {
      spawnSync('sync');
      const list = execFileSync('find', [dir, '-type', 'f'], { encoding: 'utf8', maxBuffer: 1 << 28 });
      const py = 'import os,sys\nfor p in sys.stdin.read().split("\\n"):\n  if p:\n    fd=os.open(p,os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED); os.close(fd)\n';
      const out = spawnSync('python3', ['-c', py], { input: list, encoding: 'utf8' });
      return out.status === 0;
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

    grepOnce(); // warm the page cache
    // Interleaved, so both see the same load on a shared machine; medians of RUNS.
    const scans: Array<ReturnType<typeof scanOnce>> = [];
    const greps: Array<ReturnType<typeof grepOnce>> = [];
    for (let k = 0; k < RUNS; k++) {
      scans.push(scanOnce(false));
      greps.push(grepOnce());
    }
    const scan = [...scans].sort((a, b) => a.ms - b.ms)[Math.floor(RUNS / 2)]!;
    const grepMs = median(greps.map((g) => g.ms));
    // Cold: the files out of the page cache before each run (scan, then git grep), medians of three.
    const coldScans: number[] = [];
    const coldGreps: number[] = [];
    let evicted = true;
    for (let k = 0; k < 3 && evicted; k++) {
      evicted = evict();
      if (!evicted) break;
      coldScans.push(scanOnce(false).ms);
      evict();
      coldGreps.push(grepOnce().ms);
    }
    const mb = (scan.data.bytesScanned ?? total) / 1e6;
    const load = loadavg().map((l) => l.toFixed(1)).join(' ');
    console.log(`security.committed-secrets: ${scan.status}, ${scan.findings} findings: ${scan.summary}`);
    console.log(`  ${scan.details.split('\n')[0]}`);
    console.log(`  ${strings.length} strings searched (${needles.length} secret needles in their encodings and pieces + ${anchors.length} credential and format anchors)`);
    console.log(`  warm scan:   median ${scan.ms.toFixed(0)} ms over ${RUNS} runs (${scans.map((s) => s.ms.toFixed(0)).join(', ')}) → ${(mb / (scan.ms / 1000)).toFixed(0)} MB/s`);
    console.log(`  git grep -F -l -f <${strings.length} strings> (${greps[0]!.files} files matched): median ${grepMs.toFixed(0)} ms (${greps.map((g) => g.ms.toFixed(0)).join(', ')}) → ${(mb / (grepMs / 1000)).toFixed(0)} MB/s`);
    console.log(`  ratio scan time / git grep time (warm): ${(scan.ms / grepMs).toFixed(2)} (≤ 1.00 is at least as fast)`);
    if (coldScans.length > 0) {
      console.log(`  cold scan (files evicted from the page cache): median ${median(coldScans).toFixed(0)} ms (${coldScans.map((m) => m.toFixed(0)).join(', ')}); cold git grep: median ${median(coldGreps).toFixed(0)} ms`);
      console.log(`  ratio cold scan / warm scan: ${(median(coldScans) / scan.ms).toFixed(2)} (target ≤ 1.5); cold scan / cold git grep: ${(median(coldScans) / median(coldGreps)).toFixed(2)}`);
    } else {
      console.log('  cold scan: not measured (python3 is needed to evict files from the page cache)');
    }
    console.log(`  first scan of the series / median: ${(scans[0]!.ms / scan.ms).toFixed(2)}`);
    console.log(`  scan process memory: RSS ${(scan.rssBefore / 1e6).toFixed(0)} MB before the scan, peak ${(scan.maxRss / 1e6).toFixed(0)} MB (maxRSS, worker threads included)`);
    console.log(`  machine: ${availableParallelism()} cores, load average ${load} (other processes share the cores: compare runs on a quiet machine)`);
    rmSync(patternFile, { force: true });

    // History: rewrite a tenth of the files, so 2,000 old blobs are reachable only in history.
    for (let i = 0; i < fileCount; i += 10) writeFileSync(join(dir, 'src', `m${i % 200}`, `file${i}.ts`), content(perFile));
    git('commit', '-q', '-a', '-m', 'rewrite a tenth');
    git('repack', '-a', '-d', '-q');
    const withHistory = scanOnce(true);
    console.log(
      `  with scan-history (${withHistory.data.historyBlobsScanned} history blobs, ${((withHistory.data.historyBytesScanned ?? 0) / 1e6).toFixed(0)} MB more): ${withHistory.ms.toFixed(0)} ms, peak RSS ${(withHistory.maxRss / 1e6).toFixed(0)} MB; ${withHistory.findings} findings: ${withHistory.summary}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
