/**
 * gate.build's warning gates (the release checklist): real `next build` logs
 * (__tests__/fixtures/build-logs/, see its README) replayed by the build command, their warnings
 * normalised and listed in the report, the browser-baseline warning failing, triaged ones passing and
 * new ones warning (or failing with `build.warnings.new: fail`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BuildWarningCollector, findTriaged, normaliseWarning } from '../../../src/analysis/build/warnings.js';
import type { RuleReport } from '../../../src/engine/types.js';
import { build } from '../../../src/rules/gate/build.js';
import type { ReportedWarning } from '../../../src/rules/gate/build.js';
import { parseConfig } from '../../../src/config.js';
import { runRule, settingsFor, tempRepo } from '../../helpers.js';

const LOGS = fileURLToPath(new URL('../../fixtures/build-logs/', import.meta.url));
const log = (name: string) => readFileSync(`${LOGS}${name}`, 'utf8');
const BASELINE_LOG = 'next-15-outdated-browser-data.log';
const WARNINGS_LOG = 'next-15-warnings.log';
const CONFIG_WARNING = "Invalid next.config.js options detected: Unrecognized key(s) in object: 'swcMinifyLegacy'";
const WEBPACK_WARNING = './lib/plugins.js: Critical dependency: the request of a dependency is an expression';

function collect(text: string, cwd = '/home/runner/work/acme/acme'): ReturnType<BuildWarningCollector['warnings']> {
  const collector = new BuildWarningCollector({ cwd });
  for (const line of text.split('\n')) collector.push(line);
  return collector.warnings();
}

/** gate.build with a build command that prints `logFile` (and exits `code`), in a repo with `config`. */
async function buildWith(logFile: string, config = '', code = 0): Promise<RuleReport> {
  const repo = tempRepo({ 'build.log': log(logFile), ...(config ? { '.github/production-readiness.yml': config } : {}) });
  try {
    const settings = await settingsFor({}, { repo: repo.dir, inputs: { 'install-command': '', 'migrate-command': '', 'build-command': `cat build.log; exit ${code}` } });
    return await runRule(build, settings);
  } finally {
    repo.cleanup();
  }
}

const listed = (r: RuleReport) => (r.data?.warnings as ReportedWarning[]).map((w) => [w.status, w.text]);

test('the warnings of real next build logs: browser-baseline, Next config, webpack; import traces and the route table are not', () => {
  assert.deepEqual(collect(log(BASELINE_LOG)).map((w) => [w.kind, w.text]), [
    ['browser-baseline', '[baseline-browser-mapping] The data in this module is over two months old. To ensure accurate Baseline data, please update: `npm i baseline-browser-mapping@latest -D`'],
    ['browser-baseline', 'Browserslist: browsers data (caniuse-lite) is <n> months old. Please run:'],
  ]);
  const warnings = collect(log('next-15-warnings-old-baseline-mapping.log'));
  assert.deepEqual(warnings.map((w) => [w.kind, w.text]), [
    ['other', CONFIG_WARNING],
    ['other', WEBPACK_WARNING],
    ['browser-baseline', '[baseline-browser-mapping] The data in this module is over two months old. To ensure accurate Baseline data, please update: `npm i baseline-browser-mapping@latest -D`'],
  ]);
  assert.deepEqual([warnings[1]!.file, warnings[1]!.line], ['lib/plugins.js', undefined]);
  assert.deepEqual(collect(log(WARNINGS_LOG)).map((w) => w.text), [CONFIG_WARNING, WEBPACK_WARNING]);
});

test('every wording of the browser-baseline warning, and the other warning forms of a build', () => {
  const lines = [
    'Browserslist: caniuse-lite is outdated. Please run:', // ≤ 4.24.0
    'Browserslist: caniuse-lite is 7 months old. . Please run:', // 4.24.1
    '[baseline-browser-mapping] The data in this module is over two months old and you are targetting a recent feature cut off date of 2026-10-01. To ensure accurate Baseline data, …', // 2.9+
    '(node:4242) [DEP0040] DeprecationWarning: The `punycode` module is deprecated. Please use a userland alternative instead.',
    'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.',
    'warn  - Fast Refresh had to perform a full reload.',
    './pages/index.tsx',
    '12:6  Warning: React Hook useEffect has a missing dependency: \'team\'. Either include it or remove the dependency array.  react-hooks/exhaustive-deps',
    '',
    ' ✓ Compiled successfully in 3.1s (0 warnings)',
  ];
  assert.deepEqual(collect(lines.join('\n')).map((w) => [w.kind, w.text, w.file, w.line]), [
    ['browser-baseline', 'Browserslist: caniuse-lite is outdated. Please run:', undefined, undefined],
    ['browser-baseline', 'Browserslist: caniuse-lite is <n> months old. . Please run:', undefined, undefined],
    ['browser-baseline', '[baseline-browser-mapping] The data in this module is over two months old and you are targetting a recent feature cut off date of <date>. To ensure accurate Baseline data, …', undefined, undefined],
    ['other', '(node) [DEP0040] DeprecationWarning: The `punycode` module is deprecated. Please use a userland alternative instead.', undefined, undefined],
    ['other', 'npm warn deprecated inflight@1.0.6: This module is not supported, and leaks memory.', undefined, undefined],
    ['other', 'Fast Refresh had to perform a full reload.', undefined, undefined],
    ['other', "./pages/index.tsx: Warning: React Hook useEffect has a missing dependency: 'team'. Either include it or remove the dependency array. react-hooks/exhaustive-deps", 'pages/index.tsx', 12],
  ]);
});

test('normalised: the checkout path, other absolute paths, pnpm store folders, line:column, hashes, durations', () => {
  const cwd = '/home/runner/work/acme/acme';
  assert.equal(
    normaliseWarning(`./node_modules/.pnpm/@prisma+instrumentation@6.1.0/node_modules/@prisma/instrumentation/dist/index.js:12:7: Critical dependency in ${cwd}/lib/plugins.js (chunk 4e51298db41fcfd4) after 1.3s`, cwd),
    './node_modules/@prisma/instrumentation/dist/index.js: Critical dependency in lib/plugins.js (chunk <hash>) after <duration>',
  );
  assert.equal(normaliseWarning('Warning: cache miss in /tmp/build-7f3a/.cache/webpack/server at line 42, column 3', cwd), 'Warning: cache miss in <path> at line <n>');
  // The same warning on two machines, in two runs, reads the same.
  assert.equal(normaliseWarning(`Warning: slow page ${cwd}/pages/index.tsx:10:2 took 1200ms`, cwd), normaliseWarning('Warning: slow page /builds/x/y/pages/index.tsx:3:9 took 88 ms', '/builds/x/y'));
  // A version number is no hash.
  assert.equal(normaliseWarning('npm warn deprecated caniuse-lite@1.0.30001600', cwd), 'npm warn deprecated caniuse-lite@1.0.30001600');
});

test('a triage pattern is the listed text, `*` standing for any run of characters', () => {
  const triaged = [{ pattern: './lib/*.js: Critical dependency: *', reason: 'plugins are loaded at run time' }, { pattern: 'Fast Refresh (dev) [x]', reason: 'literal' }];
  assert.equal(findTriaged(WEBPACK_WARNING, triaged)?.reason, 'plugins are loaded at run time');
  assert.equal(findTriaged('Fast Refresh (dev) [x]', triaged)?.reason, 'literal', 'parentheses and brackets are literal');
  assert.equal(findTriaged('Fast Refresh (dev) [x] more', triaged), undefined, 'the whole text must match');
});

test('the browser-baseline warning fails the build gate, listed in the report, even when a triage entry names it', async () => {
  const config = 'build:\n  warnings:\n    triaged:\n      - pattern: "Browserslist: *"\n        reason: we update later\n';
  const r = await buildWith(BASELINE_LOG, config);
  assert.equal(r.status, 'fail');
  assert.match(r.summary, /^`cat build\.log; exit 0` succeeded in .*, but its output has the browser-baseline warning \(outdated dataset currency\): \[baseline-browser-mapping\] The data in this module is over two months old/);
  assert.match(r.fix ?? '', /npx update-browserslist-db@latest.*baseline-browser-mapping@latest.*A triage entry does not silence this warning/);
  assert.deepEqual(listed(r).map(([status]) => status), ['browser-baseline', 'browser-baseline']);
  assert.match(r.details ?? '', /Triaged patterns that matched no warning of this build .*`Browserslist: \*`/);
});

test('a triaged warning passes with its reason; a new one warns, names itself, and comes with the entry to paste', async () => {
  const triageWebpack = `build:\n  warnings:\n    triaged:\n      - pattern: ${JSON.stringify(WEBPACK_WARNING)}\n        reason: plugins are loaded from disk at run time\n`;
  const r = await buildWith(WARNINGS_LOG, triageWebpack);
  assert.equal(r.status, 'warn');
  assert.match(r.summary, new RegExp(`with 1 new warning not in the triaged list: Invalid next\\.config\\.js options detected`));
  assert.deepEqual(listed(r), [['new', CONFIG_WARNING], ['triaged', WEBPACK_WARNING]]);
  assert.equal((r.data?.warnings as ReportedWarning[])[1]!.reason, 'plugins are loaded from disk at run time');
  // The snippet in the details is valid config once the reason is written.
  const snippet = /```yaml\n([\s\S]*?)\n```/.exec(r.details ?? '')?.[1] ?? '';
  const filled = snippet.replace('reason: # why this warning is acceptable (required)', 'reason: checked with the team');
  const config = await parseConfig(filled, 'snippet.yml');
  assert.deepEqual(config.build?.warnings?.triaged, [{ pattern: CONFIG_WARNING, reason: 'checked with the team' }]);
  await assert.rejects(parseConfig(snippet, 'snippet.yml'), /snippet\.yml:\d+: build\.warnings\.triaged\.0\.reason/, 'an entry without its reason is refused');

  const blocking = await buildWith(WARNINGS_LOG, `${triageWebpack.replace('  warnings:\n', '  warnings:\n    new: fail\n')}`);
  assert.equal(blocking.status, 'fail');
  const all = await buildWith(WARNINGS_LOG, `${triageWebpack}      - pattern: "Invalid next.config.js options detected: *"\n        reason: the key is read by our own plugin\n`);
  assert.equal(all.status, 'pass');
  assert.match(all.summary, /succeeded in .* \(2 warnings, all triaged\)$/);
});

test('a failed build stays a failure of its own, its warnings listed; a warning past the log budget is still seen', async () => {
  const failed = await buildWith(WARNINGS_LOG, '', 1);
  assert.equal(failed.status, 'fail');
  assert.match(failed.summary, /exited with code 1/);
  assert.deepEqual(listed(failed).map(([status]) => status), ['new', 'new']);

  // 3 MB of output: the log shows its 2 MB budget, the warning after it is still found.
  const repo = tempRepo();
  try {
    const command = `node -e "const l='x'.repeat(99); for (let i = 0; i < 30000; i++) console.log(l); console.warn('Browserslist: caniuse-lite is outdated. Please run:')"`;
    const r = await runRule(build, await settingsFor({}, { repo: repo.dir, inputs: { 'install-command': '', 'migrate-command': '', 'build-command': command } }));
    assert.equal(r.status, 'fail');
    assert.deepEqual(listed(r), [['browser-baseline', 'Browserslist: caniuse-lite is outdated. Please run:']]);
  } finally {
    repo.cleanup();
  }
});
