/**
 * The migration corpus, part 1: every risk kind and its safe counterpart, through gate.migration-safety
 * against a real PostgreSQL holding the app's schema and data, and each file's predicted failure
 * compared with PostgreSQL running it (see ./corpus-db.ts). Part 2 is migration-corpus-shapes.test.ts;
 * node:test runs the two files in parallel. Each group is one rule run over many files.
 */
import { after, before, test } from 'node:test';
import { startPostgres, type PostgresHandle } from '../../../sandbox/postgres.js';
import { checkCorpusGroup, createCorpusDatabase } from './corpus-db.js';
import { CORPUS_GROUPS } from './migration-corpus.js';

const GROUPS = ['add-column', 'constraints', 'indexes', 'types', 'not-null', 'destructive', 'renames', 'maintenance', 'enums'];

let server: PostgresHandle;
before(async () => {
  server = await startPostgres({ tls: false });
  await createCorpusDatabase(server, 'corpus');
});
after(async () => {
  await server?.stop();
});

for (const group of GROUPS) {
  test(`corpus ${group}: ${CORPUS_GROUPS[group]!.length} migrations report exactly their expected findings, and fail exactly when PostgreSQL refuses them`, async () => {
    await checkCorpusGroup(server, 'corpus', CORPUS_GROUPS[group]!);
  });
}
