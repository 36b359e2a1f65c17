/**
 * A PostgreSQL lexer and statement splitter, just enough for gate.migration-safety to read migration
 * files statement by statement. It follows Postgres' own lexical rules (scan.l) where they matter for
 * finding statement boundaries and keywords: comments (nested block comments included), string
 * literals of every kind, dollar quoting and quoted identifiers are single tokens, so a `DROP TABLE`
 * inside any of them is never mistaken for a statement. It does not parse SQL.
 */

export type SqlTokenKind = 'word' | 'identifier' | 'string' | 'number' | 'parameter' | 'symbol';

export interface SqlToken {
  /**
   * `word`: an unquoted keyword or identifier; `identifier`: a "quoted" identifier; `string`: any
   * string literal ('…', E'…', B'…', X'…', N'…', U&'…', $tag$…$tag$); `parameter`: $1; `symbol`: one
   * punctuation or operator character.
   */
  kind: SqlTokenKind;
  /**
   * What the token means: for a word its lower-case form (Postgres folds unquoted names), for a
   * quoted identifier its name with "" undone, for a string its raw content, else the source text.
   */
  value: string;
  /** 1-based line of the token's first character. */
  line: number;
  offset: number;
  /** Offset just past the token. */
  end: number;
}

export interface SqlStatement {
  /** The statement's tokens, without comments and without the closing `;`. */
  tokens: SqlToken[];
  /** 1-based line of the statement's first token. */
  line: number;
  /** The statement's source text, from its first token to its last. */
  text: string;
}

const WORD_START = /[A-Za-z_\u0080-\uffff]/;
const WORD_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DOLLAR_TAG = /^\$(?:[A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;

/**
 * The tokens of `sql`. Never throws: an unterminated string or comment runs to the end of the text
 * (Postgres would reject the file; the lint only has to stay out of its way).
 */
export function tokenizeSql(sql: string): SqlToken[] {
  const tokens: SqlToken[] = [];
  let i = 0;
  let line = 1;

  /** Moves `i` to `to`, counting the line breaks passed over. */
  const advance = (to: number) => {
    const stop = Math.min(to, sql.length);
    for (; i < stop; i++) if (sql[i] === '\n') line++;
  };
  const push = (kind: SqlTokenKind, value: string, start: number, startLine: number) => {
    tokens.push({ kind, value, line: startLine, offset: start, end: i });
  };
  /** A quoted run starting at `open` (the quote), where a doubled quote is an escaped quote. */
  const quoted = (quote: string, open: number, backslashEscapes: boolean): string => {
    let j = open + 1;
    while (j < sql.length) {
      const c = sql[j];
      if (backslashEscapes && c === '\\') j += 2;
      else if (c === quote && sql[j + 1] === quote) j += 2;
      else if (c === quote) break;
      else j++;
    }
    const content = sql.slice(open + 1, Math.min(j, sql.length));
    advance(j + 1);
    return content;
  };

  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    const start = i;
    const startLine = line;

    if (c === '\n' || c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v') {
      advance(i + 1);
    } else if (c === '-' && next === '-') {
      const eol = sql.indexOf('\n', i);
      advance(eol === -1 ? sql.length : eol);
    } else if (c === '/' && next === '*') {
      // Postgres nests block comments, unlike the SQL standard's C-like ones.
      let depth = 0;
      let j = i;
      while (j < sql.length) {
        if (sql[j] === '/' && sql[j + 1] === '*') {
          depth++;
          j += 2;
        } else if (sql[j] === '*' && sql[j + 1] === '/') {
          depth--;
          j += 2;
          if (depth === 0) break;
        } else j++;
      }
      advance(j);
    } else if (c === "'") {
      push('string', quoted("'", i, false), start, startLine);
    } else if ((c === 'E' || c === 'e') && next === "'") {
      push('string', quoted("'", i + 1, true), start, startLine);
    } else if ('BbXxNn'.includes(c) && next === "'") {
      push('string', quoted("'", i + 1, false), start, startLine);
    } else if ((c === 'U' || c === 'u') && next === '&' && (sql[i + 2] === "'" || sql[i + 2] === '"')) {
      const quote = sql[i + 2]!;
      const content = quoted(quote, i + 2, false);
      push(quote === "'" ? 'string' : 'identifier', quote === '"' ? content.replace(/""/g, '"') : content, start, startLine);
    } else if (c === '"') {
      push('identifier', quoted('"', i, false).replace(/""/g, '"'), start, startLine);
    } else if (c === '$' && DOLLAR_TAG.test(sql.slice(i, i + 64))) {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))![0];
      const close = sql.indexOf(tag, i + tag.length);
      const content = sql.slice(i + tag.length, close === -1 ? sql.length : close);
      advance(close === -1 ? sql.length : close + tag.length);
      push('string', content, start, startLine);
    } else if (c === '$' && next !== undefined && /[0-9]/.test(next)) {
      let j = i + 1;
      while (j < sql.length && /[0-9]/.test(sql[j]!)) j++;
      advance(j);
      push('parameter', sql.slice(start, j), start, startLine);
    } else if (/[0-9]/.test(c) || (c === '.' && next !== undefined && /[0-9]/.test(next))) {
      const match = /^(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?/.exec(sql.slice(i))!;
      advance(i + Math.max(1, match[0].length));
      push('number', sql.slice(start, i), start, startLine);
    } else if (WORD_START.test(c)) {
      let j = i + 1;
      while (j < sql.length && WORD_PART.test(sql[j]!)) j++;
      advance(j);
      push('word', sql.slice(start, j).toLowerCase(), start, startLine);
    } else {
      advance(i + 1);
      push('symbol', c, start, startLine);
    }
  }
  return tokens;
}

/**
 * The statements of `sql`, split on `;` outside parentheses. A SQL-standard function body
 * (`BEGIN ATOMIC … END`, Postgres 14+) holds `;`s of its own and stays one statement, as psql keeps it.
 */
export function splitStatements(sql: string): SqlStatement[] {
  const statements: SqlStatement[] = [];
  let current: SqlToken[] = [];
  let parens = 0;
  let atomicDepth = 0;

  const finish = () => {
    if (current.length > 0) {
      const first = current[0]!;
      const last = current[current.length - 1]!;
      statements.push({ tokens: current, line: first.line, text: sql.slice(first.offset, last.end) });
    }
    current = [];
    parens = 0;
    atomicDepth = 0;
  };

  for (const token of tokenizeSql(sql)) {
    if (token.kind === 'symbol') {
      if (token.value === ';' && parens === 0 && atomicDepth === 0) {
        finish();
        continue;
      }
      if (token.value === '(') parens++;
      if (token.value === ')') parens = Math.max(0, parens - 1);
    } else if (token.kind === 'word') {
      const previous = current[current.length - 1];
      if (token.value === 'atomic' && previous?.kind === 'word' && previous.value === 'begin' && isRoutineDefinition(current)) {
        atomicDepth++;
      } else if (atomicDepth > 0 && token.value === 'case') {
        atomicDepth++;
      } else if (atomicDepth > 0 && token.value === 'end') {
        atomicDepth--;
      }
    }
    current.push(token);
  }
  finish();
  return statements;
}

/** `CREATE [OR REPLACE] FUNCTION|PROCEDURE …`: the only statements that may hold a BEGIN ATOMIC body. */
function isRoutineDefinition(tokens: readonly SqlToken[]): boolean {
  const words = tokens.slice(0, 4).map((t) => (t.kind === 'word' ? t.value : ''));
  if (words[0] !== 'create') return false;
  const kind = words[1] === 'or' && words[2] === 'replace' ? words[3] : words[1];
  return kind === 'function' || kind === 'procedure';
}
