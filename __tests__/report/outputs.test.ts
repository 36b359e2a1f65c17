import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildOutputs } from '../../src/report/outputs.js';
import { mixedReport, report, rule } from './fixtures.js';

test('outputs carry the verdict, the counts and the paths as strings', () => {
  assert.deepEqual(buildOutputs(mixedReport(), { reportPath: '/tmp/r.json', sarifPath: '/tmp/r.sarif' }), {
    ready: 'false',
    passed: '1',
    warnings: '2',
    failed: '2',
    skipped: '1',
    'report-path': '/tmp/r.json',
    'sarif-path': '/tmp/r.sarif',
    // No comparison was asked: the verdict is the whole one, and no count says "0 new".
    'ready-all': 'false',
    comparison: 'off',
    'baseline-sha': '',
    new: '',
    existing: '',
    fixed: '',
  });
});

test('a ready run says true; paths not written are empty strings', () => {
  const outputs = buildOutputs(report([rule('config.app-url')]));
  assert.equal(outputs.ready, 'true');
  assert.equal(outputs.passed, '1');
  assert.equal(outputs['report-path'], '');
  assert.equal(outputs['sarif-path'], '');
});
