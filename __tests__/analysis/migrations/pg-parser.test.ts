/**
 * PostgreSQL's own parser as gate.migration-safety loads it: statements and their lines, whatever
 * the comments, strings, dollar quotes and quoted identifiers hold (the cases the hand-written
 * tokenizer it replaces was tested on), and syntax errors at their line.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex, loadPgParser, type PgParser } from '../../../src/analysis/migrations/pg-parser.js';

let parser: PgParser;
before(async () => {
  parser = await loadPgParser();
});

/** Each statement as [line, node type]: what the lint relies on. */
function outline(sql: string): Array<[number, string]> {
  const parsed = parser.parse(sql);
  if ('error' in parsed) throw new Error(parsed.error.message);
  const lines = new LineIndex(sql);
  return parsed.statements.map((s) => [lines.line(s.location), Object.keys(s.stmt)[0]!]);
}

function syntaxError(sql: string): [number, string] {
  const parsed = parser.parse(sql);
  assert.ok('error' in parsed, `expected a syntax error in ${sql}`);
  return [new LineIndex(sql).line(parsed.error.location), parsed.error.message];
}

test('the grammar is PostgreSQL 18 (MERGE … RETURNING, virtual generated columns, NOT NULL NOT VALID parse)', () => {
  assert.equal(Math.floor(parser.version / 10000), 18);
  assert.deepEqual(outline('ALTER TABLE t ADD COLUMN g int GENERATED ALWAYS AS (a * 2) VIRTUAL;\nALTER TABLE t ADD CONSTRAINT c NOT NULL a NOT VALID;\nMERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE RETURNING merge_action();'), [
    [1, 'AlterTableStmt'],
    [2, 'AlterTableStmt'],
    [3, 'MergeStmt'],
  ]);
});

test('statements split on top-level semicolons, each with the line of its first token', () => {
  const sql = ['-- CreateTable', 'CREATE TABLE "Team" (', '  "id" TEXT NOT NULL', ');', '', '  DROP TABLE "Old"; ALTER TABLE "User"', '  DROP COLUMN "x";'].join('\n');
  assert.deepEqual(outline(sql), [
    [2, 'CreateStmt'],
    [6, 'DropStmt'],
    [6, 'AlterTableStmt'],
  ]);
});

test('comments hide statements and semicolons, and block comments nest', () => {
  const sql = ['-- DROP TABLE "A"; still a comment', '/* outer /* inner; DROP TABLE "B"; */ still comment; */', 'SELECT 1;'].join('\n');
  assert.deepEqual(outline(sql), [[3, 'SelectStmt']]);
});

test("string literals of every kind hold no statement: '' escapes, E'' with backslashes, dollar quoting, U&'', B'', X''", () => {
  const sql = [
    "INSERT INTO t VALUES ('it''s; DROP TABLE x');",
    "INSERT INTO t VALUES (E'a\\'; DROP TABLE y');",
    'CREATE FUNCTION f() RETURNS void AS $body$ BEGIN DELETE FROM t; $x$ inner $x$ END; $body$ LANGUAGE plpgsql;',
    'DO $$ BEGIN TRUNCATE t; END $$;',
    "SELECT U&'d\\0061t; a', B'101', X'1F', N'n;';",
  ].join('\n');
  assert.deepEqual(outline(sql), [
    [1, 'InsertStmt'],
    [2, 'InsertStmt'],
    [3, 'CreateFunctionStmt'],
    [4, 'DoStmt'],
    [5, 'SelectStmt'],
  ]);
});

test('quoted identifiers keep case and may hold semicolons and doubled quotes; unquoted names fold to lower case', () => {
  const parsed = parser.parse('ALTER TABLE "We;ird""Name" RENAME TO x; SELECT 1 FROM Foo;');
  assert.ok(!('error' in parsed));
  assert.equal(parsed.statements.length, 2);
  assert.equal(parsed.statements[0]!.stmt.RenameStmt.relation.relname, 'We;ird"Name');
  assert.equal(parsed.statements[1]!.stmt.SelectStmt.fromClause[0].RangeVar.relname, 'foo');
});

test('$1 is a parameter, not a dollar quote; a name may contain $', () => {
  assert.deepEqual(outline('PREPARE p AS DELETE FROM t WHERE id = $1; SELECT a$b FROM t;'), [
    [1, 'PrepareStmt'],
    [1, 'SelectStmt'],
  ]);
});

test('multi-line strings and comments move the line count; CRLF files count the same; multi-byte text before a statement does not shift it', () => {
  assert.deepEqual(outline("SELECT 'a\nb';\r\n/* x\r\ny */\r\nDROP TABLE t;\r\n"), [
    [1, 'SelectStmt'],
    [5, 'DropStmt'],
  ]);
  assert.deepEqual(outline("-- Ünïcödé 😀 comment\nSELECT 'ééé';\nDROP TABLE \"Ü\";"), [
    [2, 'SelectStmt'],
    [3, 'DropStmt'],
  ]);
});

test('a BEGIN ATOMIC function body stays one statement; parentheses hold no split', () => {
  const sql = ['CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC', '  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;', '  SELECT 2;', 'END;', 'DROP TABLE t;'].join('\n');
  assert.deepEqual(outline(sql), [
    [1, 'CreateFunctionStmt'],
    [5, 'DropStmt'],
  ]);
});

test('unterminated strings and comments, and misspelt statements, are syntax errors at their line (PostgreSQL refuses the file)', () => {
  assert.deepEqual(syntaxError("SELECT 1;\nSELECT 'open"), [2, 'unterminated quoted string at or near "\'open"']);
  assert.deepEqual(syntaxError('SELECT 1;\n\n/* open'), [3, 'unterminated /* comment at or near "/* open"']);
  assert.deepEqual(syntaxError('SELECT 1;\nSELECT $q$ open'), [2, 'unterminated dollar-quoted string at or near "$q$ open"']);
  assert.deepEqual(syntaxError("SELECT '😀é';\nALTR TABLE x;"), [2, 'syntax error at or near "ALTR"']);
});

test('an empty file or one of comments only holds no statement', () => {
  assert.deepEqual(outline(''), []);
  assert.deepEqual(outline('-- This is an empty migration.\n/* nothing */\n'), []);
});

test('the scanner gives PostgreSQL\'s tokens with byte positions, comments included', () => {
  const tokens = parser.scan("SELECT 'é', \"x,y\" /* c, */");
  assert.deepEqual(tokens.map((t) => [t.text, t.start, t.end]), [
    ['SELECT', 0, 6],
    ["'é'", 7, 11],
    [',', 11, 12],
    ['"x,y"', 13, 18],
    ['/* c, */', 19, 27],
  ]);
});
