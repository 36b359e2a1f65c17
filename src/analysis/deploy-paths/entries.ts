/**
 * What the production-path trace follows (production-paths.ts, for gate.no-db-push and
 * gate.destructive-commands): the command lines production runs, each with the place it is written,
 * gathered by one collector per kind of deploy file (workflows.ts, dockerfiles.ts, procfile.ts,
 * platforms.ts, package-scripts.ts) from the run's repository model (src/probes/repository.ts).
 */
import type { Scalar } from 'yaml';
import { lineIndex } from '../../probes/repository.js';

/** Where a chain starts: a file and line, or (for a gate input) only a label. */
export interface Place {
  file?: string;
  line?: number;
  label: string;
}

/** A command line production runs, to be traced for the commands production must not run. */
export interface Entry {
  source: string;
  /** The place of the simple command at `offset` in `source`. */
  place(offset: number): Place;
  /** The package.json script `source` is the command of (a lifecycle script, traced from inside). */
  script?: string;
  /**
   * Lifecycle scripts and the gate's commands are entries of last resort: a path from one is reported
   * only when no earlier entry already led to the same script, so one use is not reported twice.
   */
  secondary?: boolean;
  /** DATABASE_URL a workflow sets around the command, and the job's service container hosts. */
  databaseUrl?: string;
  ciHosts?: string[];
}

/** What one collector found: the files it scanned and their entries. */
export interface Collected {
  files: string[];
  entries: Entry[];
}

/** An entry for a command written in `file`, each offset of it mapped to its line. */
export function fileEntry(file: string, source: string, lineAt: (offset: number) => number, extra: Partial<Entry> = {}): Entry {
  return {
    source,
    place: (offset) => {
      const line = lineAt(offset);
      return { file, line, label: `${file}:${line}` };
    },
    ...extra,
  };
}

/** Exec-form arguments (`["npx", "prisma", "db", "push"]`) as one command line. */
export function argvToCommand(argv: readonly unknown[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(String(a)) ? String(a) : `'${String(a).replace(/'/g, `'\\''`)}'`)).join(' ');
}

/**
 * A YAML scalar as a command line, mapped back to its source lines. Block scalars (`run: |`) and
 * plain scalars are read from the source text itself, so each command keeps its exact line; folded
 * line breaks become spaces in place (same length). Quoted scalars use their value, on their first line.
 */
export function scalarEntry(file: string, text: string, node: Scalar, extra: Partial<Entry> = {}): Entry | undefined {
  if (typeof node.value !== 'string' || !node.range) return undefined;
  const lineOf = lineIndex(text);
  const [start, end] = node.range;
  const fold = (raw: string) => raw.replace(/([^\n])\n(?=[ \t]*\S)/g, '$1 ');
  switch (node.type) {
    case 'BLOCK_LITERAL':
    case 'BLOCK_FOLDED': {
      const body = text.indexOf('\n', start) + 1;
      const raw = text.slice(body, end);
      return fileEntry(file, node.type === 'BLOCK_FOLDED' ? fold(raw) : raw, (o) => lineOf(body + o), extra);
    }
    case 'PLAIN':
      return fileEntry(file, fold(text.slice(start, end)), (o) => lineOf(start + o), extra);
    default:
      return fileEntry(file, node.value, () => lineOf(start), extra);
  }
}
