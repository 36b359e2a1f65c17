/**
 * Benchmark (issue 22): security.dependencies on a lockfile of 2,000 packages (npm's lockfileVersion 3,
 * production and development copies, a few names locked at two versions) against the loopback
 * registry (sandbox/npm-registry.ts) that knows advisories for 20 of them and the browser-baseline
 * chain's releases. Prints the rule's wall time (lockfile read, npm configuration, the advisory request,
 * the packuments for fixed versions and the chain), median and best of 5 runs, and the registry's
 * requests. The bound is 2 s.
 *
 *   npm run bench:dependencies [-- <packages>]
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runRules } from '../src/engine/runner.js';
import { createClients } from '../src/probes/clients.js';
import { dependencies } from '../src/rules/security/dependencies.js';
import { loadSettings } from '../src/settings.js';
import { releases, startNpmRegistry, type RegistryAdvisory, type RegistryPackage } from '../sandbox/npm-registry.js';
import { tempRepo } from '../__tests__/helpers.js';

const count = Number(process.argv[2] ?? 2000);
const now = new Date();
const names = Array.from({ length: count }, (_, i) => (i % 7 === 0 ? `@scope${i % 13}/pkg-${i}` : `pkg-${i}`));
names.splice(0, 6, 'next', 'next-auth', 'autoprefixer', 'browserslist', 'baseline-browser-mapping', 'caniuse-lite');

const lockPackages: Record<string, unknown> = { '': { name: 'bench-app', version: '1.0.0' } };
const registryPackages: Record<string, RegistryPackage> = {};
const advisories: Record<string, RegistryAdvisory[]> = {};
names.forEach((name, i) => {
  const version = `${1 + (i % 5)}.${i % 17}.${i % 3}`;
  lockPackages[`node_modules/${name}`] = { version, ...(i % 3 === 0 ? { dev: true } : {}) };
  // Some names are locked twice (a nested copy at another version), as in real trees.
  if (i % 50 === 10) lockPackages[`node_modules/${names[i - 1]}/node_modules/${name}`] = { version: `0.${i % 9}.0` };
  registryPackages[name] = { versions: releases([version, `${version.split('.')[0]}.${(i % 17) + 1}.0`], now, 10 + (i % 40)) };
  if (i % 100 === 7) {
    advisories[name] = [{ id: 1_100_000 + i, url: `https://npm.example.test/advisories/${1_100_000 + i}`, title: `Made-up advisory ${i}`, severity: i % 200 === 7 ? 'high' : 'moderate', vulnerable_versions: `<${version.split('.')[0]}.${(i % 17) + 1}.0` }];
  }
});
const repo = tempRepo({
  'package.json': JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies: Object.fromEntries(names.slice(0, 40).map((n) => [n, '*'])) }),
  'package-lock.json': JSON.stringify({ name: 'bench-app', version: '1.0.0', lockfileVersion: 3, requires: true, packages: lockPackages }),
});
const registry = await startNpmRegistry({ packages: registryPackages, advisories });
try {
  writeFileSync(join(repo.dir, 'config.yml'), '{}\n');
  const settings = await loadSettings({
    inputs: { 'working-directory': repo.dir, 'config-file': 'config.yml' },
    env: { PATH: process.env.PATH, npm_config_registry: registry.url, npm_config_userconfig: join(repo.dir, 'none') },
    cwd: repo.dir,
  });
  const log = { info: () => undefined, output: () => undefined, group: <T>(_n: string, fn: () => Promise<T>) => fn() };
  const runs: number[] = [];
  let status = '';
  for (let i = 0; i < 5; i++) {
    const clients = createClients(settings);
    registry.requests.length = 0;
    const started = performance.now();
    const [report] = await runRules([dependencies], { context: { settings, clients, log }, probeTimeoutMs: 60_000, commandTimeoutMs: 60_000 });
    runs.push(performance.now() - started);
    await clients.close();
    status = `${report!.status}: ${report!.summary.slice(0, 140)}`;
  }
  runs.sort((a, b) => a - b);
  const asked = Object.keys(registry.requests.find((r) => r.body)?.body ?? {}).length;
  console.log(`security.dependencies, ${Object.keys(lockPackages).length - 1} locked packages (${asked} names asked), ${Object.keys(advisories).length} with advisories: ${status}`);
  console.log(`  whole rule: median ${runs[2]!.toFixed(0)} ms, best ${runs[0]!.toFixed(0)} ms over ${runs.length} runs (bound: 2000 ms); ${registry.requests.length} registry requests a run`);
} finally {
  await registry.stop();
  repo.cleanup();
}
