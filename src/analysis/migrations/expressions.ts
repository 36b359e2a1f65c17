/**
 * The expressions of a migration that the prediction evaluates against production (a CHECK, an index
 * expression or predicate, the USING of a type change), written back to SQL from PostgreSQL's parse
 * tree. Only a small, side-effect-free part of the grammar is written back: column references,
 * constants, operators, boolean logic, NULL tests, casts, CASE, COALESCE, NULLIF, GREATEST/LEAST and
 * function calls. Anything else (a subquery, a parameter, a window, a row) makes the expression
 * "not evaluated", and the prediction says unknown. The names it calls (functions, operators, types)
 * are returned so that the catalog can prove them harmless before anything runs: a migration file is
 * text from a pull request, and `pg_terminate_backend(…)` in a CHECK must never run on production.
 *
 * Why not the source text: the SQL that runs is then exactly the tree that was checked, and comments
 * or quoting in the file cannot change its meaning once embedded in the prediction's query.
 */
import type { PgNode } from './pg-parser.js';
import { quoteIdent, str } from './pg-names.js';

/** A type named in a cast: `pg_catalog.varchar(5)`, `"Role"`, `"Role_new"[]`. */
export interface TypeRef {
  schema?: string;
  name: string;
  mods: number[];
  array: boolean;
}

export interface Deparsed {
  sql: string;
  /** Function names called, lower-case as resolved (`lower`, `pg_catalog.length` → `length`). */
  functions: string[];
  operators: string[];
  types: TypeRef[];
  /** Column names referenced (as the database knows them, after `columnSql`). */
  columns: string[];
}

export type DeparseResult = Deparsed | { unsupported: string };

export const quoteLiteral = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** `pg_catalog.varchar(5)[]` as SQL (names quoted: `"pg_catalog"."varchar"(5)`). */
export function typeSql(t: TypeRef): string {
  const name = `${t.schema ? `${quoteIdent(t.schema)}.` : ''}${quoteIdent(t.name)}`;
  return `${name}${t.mods.length ? `(${t.mods.join(',')})` : ''}${t.array ? '[]' : ''}`;
}

/** A TypeName node as a TypeRef; undefined for what is not written back (interval fields, %TYPE, SETOF). */
export function typeRef(typeName: PgNode): TypeRef | undefined {
  if (typeName.pct_type || typeName.setof) return undefined;
  const names = ((typeName.names ?? []) as PgNode[]).map(str);
  if (names.some((n) => n === undefined) || names.length === 0 || names.length > 2) return undefined;
  const mods: number[] = [];
  for (const m of (typeName.typmods ?? []) as PgNode[]) {
    if (!m.A_Const || m.A_Const.ival === undefined) return undefined;
    mods.push(Number(m.A_Const.ival.ival ?? 0));
  }
  const name = names[names.length - 1]!;
  // interval's typmods encode fields (YEAR TO MONTH), not numbers a person wrote.
  if (name === 'interval' && mods.length > 0) return undefined;
  return { schema: names.length === 2 ? names[0] : undefined, name, mods, array: Array.isArray(typeName.arrayBounds) && typeName.arrayBounds.length > 0 };
}

const SQL_VALUE_FUNCTIONS: Record<string, string> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE',
  SVFOP_CURRENT_TIME: 'CURRENT_TIME',
  SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
  SVFOP_LOCALTIME: 'LOCALTIME',
  SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP',
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE',
  SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER',
  SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG',
  SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

class Unsupported extends Error {}

/**
 * `expr` as SQL. `columnSql(name)` says how a column reference is written (its current name in the
 * database), or throws/returns undefined when the column cannot be evaluated (added by the pending set).
 */
export function deparse(expr: PgNode, columnSql: (name: string) => string | undefined): DeparseResult {
  const functions = new Set<string>();
  const operators = new Set<string>();
  const types: TypeRef[] = [];
  const columns = new Set<string>();
  const fail = (why: string): never => {
    throw new Unsupported(why);
  };

  const constant = (c: PgNode): string => {
    if (c.isnull) return 'NULL';
    if (c.ival !== undefined) return String(c.ival.ival ?? 0);
    if (c.fval !== undefined) {
      const v = String(c.fval.fval);
      if (!/^[0-9.eE+-]+$/.test(v)) fail('a numeric constant the gate does not write back');
      return v;
    }
    if (c.boolval !== undefined) return c.boolval.boolval ? 'true' : 'false';
    if (c.sval !== undefined) return quoteLiteral(String(c.sval.sval ?? ''));
    if (c.bsval !== undefined) {
      const v = String(c.bsval.bsval ?? '');
      if (!/^[bx][0-9a-fA-F]*$/i.test(v)) fail('a bit-string constant the gate does not write back');
      return `${v[0]!.toUpperCase()}'${v.slice(1)}'`;
    }
    return fail('a constant the gate does not write back');
  };

  const operatorName = (name: PgNode[]): string => {
    const parts = name.map(str);
    if (parts.length !== 1 || !parts[0] || !/^[+\-*/<>=~!@#%^&|`?]+$/.test(parts[0])) fail('a schema-qualified or unusual operator');
    operators.add(parts[0]!);
    return parts[0]!;
  };

  const list = (nodes: PgNode[] | undefined): string => (nodes ?? []).map(walk).join(', ');

  const walk = (node: PgNode): string => {
    const [type] = Object.keys(node);
    const n = node[type!] as PgNode;
    switch (type) {
      case 'ColumnRef': {
        const fields = (n.fields ?? []) as PgNode[];
        if (fields.some((f) => f.A_Star)) fail('a * reference');
        const name = str(fields[fields.length - 1]);
        if (!name || fields.length > 1) fail('a qualified column reference');
        const sql = columnSql(name!);
        if (sql === undefined) fail(`column "${name}" has no value the gate can read yet (the pending set adds or changes it)`);
        columns.add(name!);
        return sql!;
      }
      case 'A_Const':
        return constant(n);
      case 'A_Expr': {
        const l = n.lexpr ? walk(n.lexpr) : undefined;
        switch (n.kind) {
          case 'AEXPR_OP': {
            const op = operatorName(n.name);
            const r = walk(n.rexpr);
            return l === undefined ? `(${op} ${r})` : `(${l} ${op} ${r})`;
          }
          case 'AEXPR_OP_ANY':
          case 'AEXPR_OP_ALL':
            return `(${l} ${operatorName(n.name)} ${n.kind === 'AEXPR_OP_ANY' ? 'ANY' : 'ALL'} (${walk(n.rexpr)}))`;
          case 'AEXPR_DISTINCT':
          case 'AEXPR_NOT_DISTINCT':
            operators.add('=');
            return `(${l} IS ${n.kind === 'AEXPR_DISTINCT' ? '' : 'NOT '}DISTINCT FROM ${walk(n.rexpr)})`;
          case 'AEXPR_NULLIF':
            operators.add('=');
            return `NULLIF(${l}, ${walk(n.rexpr)})`;
          case 'AEXPR_IN': {
            const op = operatorName(n.name);
            const values = Array.isArray(n.rexpr) ? (n.rexpr as PgNode[]) : (n.rexpr?.List?.items as PgNode[] | undefined);
            const items = values ? list(values) : fail('IN with a subquery');
            operators.add('=');
            return `(${l} ${op === '<>' ? 'NOT IN' : 'IN'} (${items}))`;
          }
          case 'AEXPR_LIKE':
          case 'AEXPR_ILIKE': {
            const op = operatorName(n.name);
            const negated = op.startsWith('!');
            return `(${l} ${negated ? 'NOT ' : ''}${n.kind === 'AEXPR_LIKE' ? 'LIKE' : 'ILIKE'} ${walk(n.rexpr)})`;
          }
          case 'AEXPR_BETWEEN':
          case 'AEXPR_NOT_BETWEEN': {
            const [lo, hi] = (Array.isArray(n.rexpr) ? n.rexpr : n.rexpr?.List?.items ?? []) as PgNode[];
            if (!lo || !hi) fail('a BETWEEN the gate does not write back');
            operators.add('<=').add('>=');
            return `(${l} ${n.kind === 'AEXPR_NOT_BETWEEN' ? 'NOT ' : ''}BETWEEN ${walk(lo!)} AND ${walk(hi!)})`;
          }
          default:
            return fail(`the operator form ${String(n.kind)}`);
        }
      }
      case 'BoolExpr': {
        const args = (n.args as PgNode[]).map(walk);
        if (n.boolop === 'NOT_EXPR') return `(NOT ${args[0]})`;
        return `(${args.join(n.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
      }
      case 'NullTest':
        return `(${walk(n.arg)} IS ${n.nulltesttype === 'IS_NOT_NULL' ? 'NOT ' : ''}NULL)`;
      case 'BooleanTest': {
        const test = String(n.booltesttype).replace(/^IS_/, '').replace(/_/g, ' ');
        return `(${walk(n.arg)} IS ${test})`;
      }
      case 'TypeCast': {
        const t = typeRef(n.typeName) ?? fail('a cast to a type the gate does not write back');
        types.push(t!);
        return `CAST(${walk(n.arg)} AS ${typeSql(t!)})`;
      }
      case 'CollateClause': {
        const names = ((n.collname ?? []) as PgNode[]).map(str);
        if (names.some((x) => x === undefined)) fail('a collation name');
        return `(${walk(n.arg)} COLLATE ${names.map((x) => quoteIdent(x!)).join('.')})`;
      }
      case 'FuncCall': {
        if (n.agg_star || n.agg_distinct || n.over || n.agg_order || n.agg_filter || n.func_variadic) fail('an aggregate, window or variadic call');
        const parts = ((n.funcname ?? []) as PgNode[]).map(str);
        if (parts.some((p) => p === undefined) || parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog')) fail('a function outside pg_catalog');
        const name = parts[parts.length - 1]!;
        const args = (n.args ?? []) as PgNode[];
        if (args.some((a) => a.NamedArgExpr)) fail('a named argument');
        functions.add(name);
        return `${parts.length === 2 ? 'pg_catalog.' : ''}${quoteIdent(name)}(${list(args)})`;
      }
      case 'CoalesceExpr':
        return `COALESCE(${list(n.args)})`;
      case 'MinMaxExpr':
        operators.add('<').add('>');
        return `${n.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST'}(${list(n.args)})`;
      case 'CaseExpr': {
        const whens = ((n.args ?? []) as PgNode[]).map((w) => `WHEN ${walk(w.CaseWhen.expr)} THEN ${walk(w.CaseWhen.result)}`);
        if (n.arg) operators.add('=');
        return `(CASE ${n.arg ? `${walk(n.arg)} ` : ''}${whens.join(' ')}${n.defresult ? ` ELSE ${walk(n.defresult)}` : ''} END)`;
      }
      case 'SQLValueFunction': {
        const f = SQL_VALUE_FUNCTIONS[String(n.op)];
        if (!f || n.typmod > 0) fail('a SQL value function with a precision');
        return f!;
      }
      case 'A_ArrayExpr':
        return `ARRAY[${list(n.elements)}]`;
      case 'SubLink':
        return fail('a subquery');
      default:
        return fail(`${type} (not written back by the gate)`);
    }
  };

  try {
    const sql = walk(expr);
    return { sql, functions: [...functions], operators: [...operators], types, columns: [...columns] };
  } catch (error) {
    if (error instanceof Unsupported) return { unsupported: error.message };
    throw error;
  }
}

/** Whether `node` (a whole expression) holds a subquery: PostgreSQL refuses one in a CHECK, an index or a USING. */
export function hasSubquery(node: unknown): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some(hasSubquery);
  if ('SubLink' in (node as PgNode)) return true;
  return Object.values(node as PgNode).some(hasSubquery);
}

