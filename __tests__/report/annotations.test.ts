import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as core from '@actions/core';
import { buildAnnotations, formatAnnotationCommand } from '../../src/report/annotations.js';
import type { Annotation } from '../../src/report/annotations.js';
import { mixedReport, noSecrets, redactor, report, reportWithSecret, rule, SECRET, SECRET_FRAGMENT } from './fixtures.js';

test('file findings of every rule come before file-less annotations', () => {
  const annotations = buildAnnotations(mixedReport(), { redactor: noSecrets });
  assert.deepEqual(
    annotations.map((a) => [a.level, a.file ?? '-', a.title.split(':')[0]]),
    [
      ['error', '.github/workflows/deploy.yml', 'gate.no-db-push'],
      ['warning', 'prisma/migrations/2_idx/migration.sql', 'gate.migration-safety'],
      ['error', '-', 'config.nextauth-secret'],
    ],
  );
});

test('a file finding carries file, line and a title with the rule id', () => {
  const [first] = buildAnnotations(mixedReport(), { redactor: noSecrets });
  assert.deepEqual(first, {
    level: 'error',
    title: 'gate.no-db-push: Not met: Title of gate.no-db-push',
    message: 'prisma db push in step "deploy"',
    file: '.github/workflows/deploy.yml',
    startLine: 31,
  });
});

test('a failing rule without a file finding gets one annotation with its summary and fix', () => {
  const a = buildAnnotations(mixedReport(), { redactor: noSecrets }).find((x) => x.title.startsWith('config.nextauth-secret'))!;
  assert.equal(a.file, undefined);
  assert.equal(a.message, 'NEXTAUTH_SECRET is 12 characters\nFix: Generate one with `openssl rand -base64 32`.');
});

test('the title is phrased for the status it heads', () => {
  const [fail, warn] = buildAnnotations(mixedReport(), { redactor: noSecrets });
  assert.equal(fail!.title, 'gate.no-db-push: Not met: Title of gate.no-db-push');
  assert.equal(warn!.title, 'gate.migration-safety: At risk: Title of gate.migration-safety');
});

test('a waived rule makes no annotation: the summary shows it', () => {
  assert.ok(!buildAnnotations(mixedReport(), { redactor: noSecrets }).some((x) => x.title.startsWith('config.enable-coep')));
});

test('a finding is never louder than its rule; notices (dev-only uses, pending migrations) are not annotations', () => {
  const annotations = buildAnnotations(
    report([
      rule('gate.migration-safety', { status: 'warn', findings: [{ level: 'error', message: 'DROP TABLE', file: 'm.sql', line: 2 }] }),
      rule('gate.no-db-push', { status: 'pass', findings: [{ level: 'notice', message: 'dev-only setup:db', file: 'package.json', line: 9 }] }),
      rule('gate.migrations', { status: 'fail', summary: 'drifted', findings: [{ level: 'notice', message: 'pending 3_x', file: 'prisma/migrations/3_x/migration.sql' }] }),
    ]),
    { redactor: noSecrets },
  );
  assert.deepEqual(annotations.map((a) => [a.level, a.title.split(':')[0], a.file ?? '-']), [
    ['warning', 'gate.migration-safety', 'm.sql'],
    ['error', 'gate.migrations', '-'],
  ], 'a failing rule whose only findings are notices still gets its one annotation');
});

test('a green run emits no annotation, whatever its findings', () => {
  const green = report([
    rule('gate.no-db-push', { status: 'pass', findings: [{ level: 'notice', message: '"setup:db" runs prisma db push (dev only)', file: 'package.json', line: 9 }] }),
    rule('gate.migrations', { status: 'pass', findings: [{ level: 'notice', message: 'pending 3_x', file: 'prisma/migrations/3_x/migration.sql' }] }),
    rule('config.enable-coep', { status: 'warn', waived: true, waiver: { reason: 'embeds', expired: false } }),
    rule('smoke.health', { status: 'skip' }),
  ]);
  assert.deepEqual(buildAnnotations(green, { redactor: noSecrets }), []);
});

function manyFindings(level: 'error' | 'warning', n: number) {
  return Array.from({ length: n }, (_, i) => ({ level, message: `${level} ${i}`, file: `f${i}.ts`, line: i + 1 }));
}

test('at most 10 per level: 9 findings and one roll-up pointing at the job summary', () => {
  const annotations = buildAnnotations(
    report([
      rule('security.workflow-secrets', { status: 'fail', findings: manyFindings('error', 25) }),
      rule('gate.migration-safety', { status: 'warn', findings: manyFindings('warning', 10) }),
      rule('config.app-url', { status: 'fail', summary: 'no file' }),
    ]),
    { redactor: noSecrets },
  );
  const errors = annotations.filter((a) => a.level === 'error');
  assert.equal(errors.length, 10);
  assert.deepEqual(errors.slice(0, 9).map((a) => a.message), Array.from({ length: 9 }, (_, i) => `error ${i}`));
  assert.equal(errors[9]!.message, 'and 17 more errors: see the job summary', '25 + 1 file-less, 9 shown');
  assert.equal(errors[9]!.file, undefined);
  const warnings = annotations.filter((a) => a.level === 'warning');
  assert.equal(warnings.length, 10, 'exactly 10 fit: no roll-up needed');
  assert.ok(warnings.every((a) => !a.message.startsWith('and ')));
});

test('maxPerLevel: Infinity keeps every annotation (for the Checks API)', () => {
  const annotations = buildAnnotations(report([rule('security.workflow-secrets', { status: 'fail', findings: manyFindings('error', 60) })]), {
    redactor: noSecrets,
    maxPerLevel: Infinity,
  });
  assert.equal(annotations.length, 60);
});

test('no secret appears in any annotation', () => {
  const annotations = buildAnnotations(reportWithSecret(), { redactor });
  const text = JSON.stringify(annotations) + annotations.map(formatAnnotationCommand).join('\n');
  assert.ok(!text.includes(SECRET_FRAGMENT), text);
  assert.ok(!text.includes(encodeURIComponent(SECRET)));
});

test('formatAnnotationCommand escapes data and properties as the runner expects', () => {
  const line = formatAnnotationCommand({
    level: 'error',
    title: 'gate.x: a, b: c',
    file: 'dir,1/a:b.yml',
    startLine: 31,
    endLine: 33,
    message: '100% sure\r\nsecond line: a, b',
  });
  assert.equal(line, '::error title=gate.x%3A a%2C b%3A c,file=dir%2C1/a%3Ab.yml,line=31,endLine=33::100%25 sure%0D%0Asecond line: a, b');
});

test('formatAnnotationCommand prints exactly what @actions/core prints', () => {
  const cases: Annotation[] = [
    { level: 'error', title: 't: 1,2', file: 'a,b.ts', startLine: 3, endLine: 4, message: 'm%\n:,' },
    { level: 'warning', title: 'only title', message: 'no file' },
    { level: 'notice', title: 'n', file: 'x.md', message: '' },
  ];
  for (const a of cases) {
    const properties = { title: a.title, file: a.file, startLine: a.startLine, endLine: a.endLine };
    const printed = captureStdout(() => core[a.level](a.message, properties));
    assert.equal(formatAnnotationCommand(a), printed.trimEnd());
  }
});

function captureStdout(fn: () => void): string {
  const write = process.stdout.write;
  let out = '';
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}
