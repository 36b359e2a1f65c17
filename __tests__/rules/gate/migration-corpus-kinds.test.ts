/**
 * The migration corpus, part 1: every risk kind and its safe counterpart, through gate.migration-safety
 * against a real PostgreSQL holding the app's schema and data, and each file's predicted failure
 * compared with PostgreSQL running it (see ./corpus-db.ts). Part 2 is migration-corpus-shapes.test.ts;
 * node:test runs the two files in parallel. Each group is one rule run over many files.
 */
import { corpusGroupTests } from './corpus-db.js';
import { CORPUS_GROUPS } from './migration-corpus.js';

const GROUPS = ['add-column', 'constraints', 'indexes', 'types', 'not-null', 'destructive', 'renames', 'maintenance', 'enums'];

corpusGroupTests(Object.fromEntries(GROUPS.map((group) => [group, CORPUS_GROUPS[group]!])));
