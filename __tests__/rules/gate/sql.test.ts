import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitStatements, tokenizeSql } from '../../../src/rules/gate/sql.js';

/** Each statement as [line, first words] — what the lint relies on. */
const outline = (sql: string) => splitStatements(sql).map((s) => [s.line, s.tokens.slice(0, 2).map((t) => t.value).join(' ')]);

test('statements split on top-level semicolons, each with the line of its first token', () => {
  const sql = ['-- CreateTable', 'CREATE TABLE "Team" (', '  "id" TEXT NOT NULL', ');', '', '  DROP TABLE "Old"; ALTER TABLE "User"', '  DROP COLUMN "x";'].join('\n');
  assert.deepEqual(outline(sql), [
    [2, 'create table'],
    [6, 'drop table'],
    [6, 'alter table'],
  ]);
  assert.equal(splitStatements(sql)[2]!.text, 'ALTER TABLE "User"\n  DROP COLUMN "x"');
});

test('comments hide statements and semicolons, and block comments nest', () => {
  const sql = [
    '-- DROP TABLE "A"; still a comment',
    '/* outer /* inner; DROP TABLE "B"; */ still comment; */',
    'SELECT 1;',
  ].join('\n');
  assert.deepEqual(outline(sql), [[3, 'select 1']]);
  assert.equal(tokenizeSql(sql).some((t) => t.value === 'drop'), false);
});

test("string literals of every kind are one token: '' escapes, E'' with backslashes, dollar quoting", () => {
  const sql = [
    "INSERT INTO t VALUES ('it''s; DROP TABLE x');",
    "INSERT INTO t VALUES (E'a\\'; DROP TABLE y');",
    'CREATE FUNCTION f() RETURNS void AS $body$ BEGIN DELETE FROM t; $x$ inner $x$ END; $body$ LANGUAGE plpgsql;',
    'DO $$ BEGIN TRUNCATE t; END $$;',
    "SELECT U&'d\\0061t; a', B'101', X'1F', N'n;';",
  ].join('\n');
  assert.deepEqual(outline(sql), [
    [1, 'insert into'],
    [2, 'insert into'],
    [3, 'create function'],
    [4, 'do  BEGIN TRUNCATE t; END '],
    [5, 'select d\\0061t; a'],
  ]);
  const strings = tokenizeSql(sql).filter((t) => t.kind === 'string').map((t) => t.value);
  assert.deepEqual(strings.slice(0, 4), ["it''s; DROP TABLE x", "a\\'; DROP TABLE y", ' BEGIN DELETE FROM t; $x$ inner $x$ END; ', ' BEGIN TRUNCATE t; END ']);
});

test('quoted identifiers keep case and may hold semicolons and doubled quotes', () => {
  const tokens = tokenizeSql('ALTER TABLE "We;ird""Name" RENAME TO x;');
  const ident = tokens.find((t) => t.kind === 'identifier')!;
  assert.equal(ident.value, 'We;ird"Name');
  assert.equal(splitStatements('ALTER TABLE "We;ird""Name" RENAME TO x;').length, 1);
  assert.equal(tokenizeSql('SELECT Foo')[1]!.value, 'foo', 'unquoted names fold to lower case');
});

test('$1 is a parameter, not a dollar quote; a word may contain $', () => {
  const tokens = tokenizeSql('PREPARE p AS DELETE FROM t WHERE id = $1; SELECT a$b FROM t;');
  assert.deepEqual(
    tokens.filter((t) => t.kind === 'parameter' || t.value === 'a$b').map((t) => [t.kind, t.value]),
    [['parameter', '$1'], ['word', 'a$b']],
  );
  assert.equal(splitStatements('PREPARE p AS DELETE FROM t WHERE id = $1; SELECT a$b FROM t;').length, 2);
});

test('multi-line strings and comments move the line count; CRLF files count the same', () => {
  const sql = "SELECT 'a\nb';\r\n/* x\r\ny */\r\nDROP TABLE t;\r\n";
  assert.deepEqual(outline(sql), [
    [1, 'select a\nb'],
    [5, 'drop table'],
  ]);
});

test('a BEGIN ATOMIC function body stays one statement; parentheses hold no split', () => {
  const sql = [
    'CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql BEGIN ATOMIC',
    '  SELECT CASE WHEN a > 0 THEN 1 ELSE 0 END;',
    '  SELECT 2;',
    'END;',
    'DROP TABLE t;',
  ].join('\n');
  assert.deepEqual(outline(sql), [
    [1, 'create function'],
    [5, 'drop table'],
  ]);
});

test('unterminated strings and comments end the text without throwing', () => {
  assert.deepEqual(outline("SELECT 'open"), [[1, 'select open']]);
  assert.deepEqual(outline('SELECT 1; /* open'), [[1, 'select 1']]);
  assert.deepEqual(outline('SELECT $q$ open'), [[1, 'select  open']]);
});
