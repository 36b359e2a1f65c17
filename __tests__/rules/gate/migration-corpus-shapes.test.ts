/**
 * The migration corpus, part 2: DO blocks, lexical traps, pending-set semantics, syntax errors and
 * Prisma-generated shapes, through gate.migration-safety against a real PostgreSQL (see
 * ./corpus-db.ts); and the corpus's own coverage: at least 150 files, every risk kind reported
 * somewhere and a safe counterpart of it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RISK_KINDS, RISKS } from '../../../src/analysis/migrations/risks.js';
import { corpusGroupTests } from './corpus-db.js';
import { CORPUS_GROUPS } from './migration-corpus.js';

const GROUPS = ['do-blocks', 'lexical', 'pending-set', 'syntax', 'prisma'];

corpusGroupTests(Object.fromEntries(GROUPS.map((group) => [group, CORPUS_GROUPS[group]!])));

test('the corpus has at least 150 migration files, reports every risk kind, uses all three levels, and has files that must report nothing', () => {
  const cases = Object.values(CORPUS_GROUPS).flat();
  assert.ok(cases.length >= 150, `${cases.length} files`);
  const reported = new Set(cases.flatMap((c) => c.expect.map((e) => e.split('@')[0])));
  assert.deepEqual(RISK_KINDS.filter((k) => !reported.has(k)), [], 'risk kinds no corpus file reports');
  const levels = new Set(cases.flatMap((c) => c.expect.map((e) => e.split(':')[1])));
  assert.deepEqual([...levels].sort(), ['fail', 'note', 'warn']);
  assert.ok(cases.filter((c) => c.expect.length === 0).length >= 60, 'safe counterparts');
  assert.equal(new Set(cases.map((c) => c.name)).size, cases.length, 'file names are unique');
});

test('docs/rules.md lists every check of gate.migration-safety with the lock, effect and recipe the findings say', () => {
  const docs = readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8');
  const section = docs.slice(docs.indexOf('### gate.migration-safety'), docs.indexOf('## smoke:'));
  for (const kind of RISK_KINDS) {
    const row = section.split('\n').find((l) => l.startsWith(`| \`${kind}\` |`));
    assert.ok(row, `docs/rules.md has no row for ${kind}`);
    const risk = RISKS[kind];
    for (const text of [risk.lock, risk.effect, risk.recipe]) assert.ok(row.includes(text.replace(/\|/g, '\\|')), `${kind}: the docs row does not say "${text}"`);
  }
  assert.match(section, /block-above-mb.*100 MB/s);
  assert.match(section, /block-above-rows.*1,000,000/s);
});
