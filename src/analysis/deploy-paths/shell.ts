/**
 * Shell command lines and package.json scripts, read the way a shell and the package managers run
 * them, so the production-path trace can follow a deploy command through `npm run` chains down to the
 * commands it ends in (`prisma db push`, `prisma migrate reset`, the app's `stripe:cleanup`). Only what
 * decides "what does this run" is modelled: words, quotes, comments, heredocs, `&&`/`||`/`;`/`|`
 * lists, wrappers (`env`, `cross-env`, `dotenv`, `sh -c`), package runners (`npx`, `npm exec`,
 * `pnpm dlx`, `bunx`, …) and script runners (`npm run`, `yarn x`, `pnpm x`, `bun run`, `run-s`,
 * `concurrently`), with npm's `pre`/`post` scripts. What to look for is the matchers' business
 * (`CommandMatcher`, matchers.ts): one trace serves them all.
 */

/** One simple command of a command line: its words, quotes removed. */
export interface ShellCommand {
  words: string[];
  /** The command as written, whitespace and line continuations collapsed. */
  text: string;
  /** Offset of the first word in the source. */
  offset: number;
}

const BLANK = /[ \t\r]/;
/** Shell reserved words that open or close a compound command: the command proper follows them. */
const RESERVED = new Set(['if', 'then', 'else', 'elif', 'fi', 'do', 'done', 'while', 'until', 'case', 'esac', '!', '{', '}']);
const OPERATOR = /[;&|()]/;

/**
 * Splits a command line (or a multi-line script) into simple commands. A tolerant reader, not a
 * validator: what a shell would reject is read as well as it can be, never thrown at.
 */
export function splitShellCommands(source: string): ShellCommand[] {
  const commands: ShellCommand[] = [];
  let words: string[] = [];
  let word: string | null = null;
  let commandStart = -1;
  let lastEnd = 0;
  /** The next word is a redirection target (`> file`), not an argument. */
  let redirectTarget = false;
  /** Heredocs opened on the current line: their bodies follow the next line break. */
  const heredocs: Array<{ delimiter: string }> = [];
  let i = 0;

  /** Adds text to the current word, starting a word (and maybe a command) at `i` if none is open. */
  const append = (text: string) => {
    if (word === null && commandStart === -1 && !redirectTarget) commandStart = i;
    word = (word ?? '') + text;
  };
  const endWord = () => {
    if (word === null) return;
    if (redirectTarget) redirectTarget = false;
    else if (words.length === 0 && RESERVED.has(word)) commandStart = -1;
    else {
      words.push(word);
      lastEnd = i;
    }
    word = null;
  };
  const endCommand = () => {
    endWord();
    if (words.length > 0) {
      const text = source.slice(commandStart, lastEnd).replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ').trim();
      commands.push({ words, text, offset: commandStart });
    }
    words = [];
    commandStart = -1;
  };
  /** Copies a balanced `$( … )` or backtick substitution into the current word, unexpanded. */
  const copyUntilClose = (open: string, close: string) => {
    let depth = 0;
    let end = i;
    for (; end < source.length; end++) {
      if (source[end] === open && open !== close) depth++;
      else if (source[end] === close && (open === close ? end > i : --depth === 0)) {
        end++;
        break;
      }
    }
    append(source.slice(i, end));
    i = end;
  };

  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '\\' && (next === '\n' || (next === '\r' && source[i + 2] === '\n'))) {
      i += next === '\n' ? 2 : 3;
    } else if (c === '\n') {
      endCommand();
      i++;
      for (const { delimiter } of heredocs.splice(0)) {
        // The body is data for the command (cat > file <<EOF …), never commands of this script.
        for (;;) {
          const eol = source.indexOf('\n', i);
          const line = source.slice(i, eol === -1 ? source.length : eol);
          i = eol === -1 ? source.length : eol + 1;
          if (line.trim() === delimiter || eol === -1) break;
        }
      }
    } else if (BLANK.test(c)) {
      endWord();
      i++;
    } else if (c === '#' && word === null) {
      const eol = source.indexOf('\n', i);
      i = eol === -1 ? source.length : eol;
    } else if (c === "'") {
      const close = source.indexOf("'", i + 1);
      const end = close === -1 ? source.length : close;
      append(source.slice(i + 1, end));
      i = end + 1;
    } else if (c === '$' && next === "'") {
      append('');
      i += 2;
      while (i < source.length && source[i] !== "'") {
        if (source[i] === '\\') i++;
        append(source[i] ?? '');
        i++;
      }
      i++;
    } else if (c === '"') {
      append('');
      i++;
      while (i < source.length && source[i] !== '"') {
        if (source[i] === '\\' && i + 1 < source.length && '"\\$`\n'.includes(source[i + 1]!)) {
          if (source[i + 1] !== '\n') append(source[i + 1]!);
          i += 2;
        } else {
          append(source[i]!);
          i++;
        }
      }
      i++;
    } else if (c === '\\') {
      append(next ?? '');
      i += 2;
    } else if (c === '$' && next === '(') {
      copyUntilClose('(', ')');
    } else if (c === '`') {
      copyUntilClose('`', '`');
    } else if (c === '<' || c === '>' || (c === '&' && next === '>')) {
      // A file-descriptor number glued to the operator (2>&1) belongs to the redirection.
      if (word !== null && /^\d+$/.test(word)) word = null;
      endWord();
      if (source.startsWith('<<<', i)) {
        i += 3;
        redirectTarget = true;
      } else if (source.startsWith('<<', i)) {
        i += source[i + 2] === '-' ? 3 : 2;
        while (BLANK.test(source[i] ?? '')) i++;
        const match = /^[^\s;&|()<>]+/.exec(source.slice(i));
        if (match) {
          heredocs.push({ delimiter: match[0].replace(/["'\\]/g, '') });
          i += match[0].length;
        }
      } else {
        i += /^(?:&>>?|[<>]+[&|]?)/.exec(source.slice(i))![0].length;
        redirectTarget = true;
      }
    } else if (OPERATOR.test(c)) {
      endCommand();
      i++;
    } else {
      append(c);
      i++;
    }
  }
  endCommand();
  return commands;
}

import type { Scripts } from '../../probes/repository.js';

/** What one simple command does that matters here. */
export type Step =
  /** A program that is not a runner or a wrapper (`prisma`, `next`, `node`), with its arguments. */
  | { kind: 'run'; program: string; args: string[] }
  | { kind: 'script'; name: string; note?: string }
  /** Command lines it runs: `sh -c "…"`, `concurrently "…" "…"`. */
  | { kind: 'shell'; source: string };

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Words that run the rest of the line as a command, with their own leading options. */
const WRAPPERS = new Set(['env', 'cross-env', 'cross-env-shell', 'time', 'nohup', 'exec', 'command', 'nice']);
const SHELLS = /^(?:.*\/)?(?:sh|bash|dash|zsh|ash)$/;
/** What `npm ci` / `npm install` run in the project itself, in order. */
const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall', 'prepublish', 'preprepare', 'prepare', 'postprepare'];
const NPM_RUN = new Set(['run', 'run-script', 'rum', 'urn']);
const NPM_LIFECYCLE = new Map([['start', 'start'], ['test', 'test'], ['t', 'test'], ['tst', 'test'], ['stop', 'stop'], ['restart', 'restart']]);
const INSTALL = new Set(['install', 'i', 'ci', 'clean-install', 'add']);
/**
 * Options of npm/yarn/pnpm that point at another package: its scripts are not this package.json's.
 * (Also `-w`, which npm reads as --workspace; a script argument that looks like one is lost, rarely.)
 */
const OTHER_PACKAGE = /^(?:--prefix|-C|--dir|--cwd|-w|--workspace|--workspaces|-ws|--filter|-F|-r|--recursive)(?:=|$)/;

/**
 * What a simple command runs: a program (`prisma` whatever runner or path started it, as `prisma`),
 * package.json scripts (with the `pre`/`post` scripts the runner adds), or command lines of its own.
 * Also returns the variables it assigns.
 */
export function interpretCommand(words: readonly string[], scripts: Scripts): { steps: Step[]; env: Record<string, string> } {
  const env: Record<string, string> = {};
  let w = [...words];
  // Wrappers, leading assignments and options of wrappers, in any order: `env -i A=1 cross-env B=2 npx …`.
  for (;;) {
    const first = w[0];
    if (first === undefined) return { steps: [], env };
    if (ASSIGNMENT.test(first)) {
      const eq = first.indexOf('=');
      env[first.slice(0, eq)] = first.slice(eq + 1);
      w = w.slice(1);
    } else if (WRAPPERS.has(first)) {
      w = w.slice(1);
      while (w[0]?.startsWith('-')) w = w.slice(1);
    } else if (first === 'dotenv' || first === 'dotenv-cli') {
      const dashes = w.indexOf('--');
      w = dashes === -1 ? w.slice(1).filter((x) => !x.startsWith('-')) : w.slice(dashes + 1);
    } else break;
  }

  const [program, ...args] = w as [string, ...string[]];
  const base = program.replace(/^.*\//, '');
  const steps: Step[] = [];

  if (SHELLS.test(program)) {
    const c = args.findIndex((a) => /^-[a-z]*c[a-z]*$/.test(a));
    if (c !== -1 && args[c + 1] !== undefined) steps.push({ kind: 'shell', source: args[c + 1]! });
  } else if (isPrisma(base)) {
    steps.push({ kind: 'run', program: 'prisma', args });
  } else if (base === 'node' && args[0] !== undefined && /(?:^|\/)prisma(?:\/build\/index\.js)?$/.test(args[0])) {
    steps.push({ kind: 'run', program: 'prisma', args: args.slice(1) });
  } else if (['npx', 'pnpx', 'bunx'].includes(base)) {
    steps.push(...runPackage(args, scripts));
  } else if (base === 'concurrently') {
    for (const arg of args.filter((a) => !a.startsWith('-'))) {
      // `npm:name` is concurrently's shorthand for `npm run name`.
      const shorthand = /^(npm|yarn|pnpm|bun):(.+)$/.exec(arg);
      steps.push({ kind: 'shell', source: shorthand ? `${shorthand[1]} run ${shorthand[2]}` : arg });
    }
  } else if (['npm-run-all', 'run-s', 'run-p', 'npm-run-all2'].includes(base)) {
    for (const pattern of args.filter((a) => !a.startsWith('-'))) {
      for (const name of matchScripts(pattern.split(/\s+/)[0]!, scripts)) steps.push(...runScript(name, scripts, base));
    }
  } else if (['npm', 'yarn', 'pnpm', 'bun'].includes(base)) {
    steps.push(...packageManager(base, args, scripts));
  } else {
    steps.push({ kind: 'run', program: base, args });
  }
  return { steps, env };
}

function isPrisma(base: string): boolean {
  return /^prisma(?:@.*)?$/.test(base);
}

/** `npx [options] <bin> …`: the bin is run from node_modules (or downloaded). */
function runPackage(args: readonly string[], scripts: Scripts): Step[] {
  let k = 0;
  while (k < args.length && args[k]!.startsWith('-')) k += /^(?:-p|--package)$/.test(args[k]!) ? 2 : 1;
  if (args[k] === '--') k++;
  return args[k] === undefined ? [] : interpretCommand(args.slice(k), scripts).steps;
}

/** npm, yarn, pnpm and bun: running a script, installing (lifecycle scripts), or running a bin. */
function packageManager(manager: string, args: readonly string[], scripts: Scripts): Step[] {
  if (args.some((a) => OTHER_PACKAGE.test(a))) return [];
  let k = 0;
  while (k < args.length && args[k]!.startsWith('-')) k++;
  const sub = args[k];
  const rest = args.slice(k + 1).filter((a) => !a.startsWith('-'));
  const label = `${manager} ${sub ?? 'install'}`;
  if (sub === undefined || INSTALL.has(sub)) {
    // `yarn` alone installs; `npm install <pkg>` runs the project's install scripts too.
    return INSTALL_SCRIPTS.filter((s) => scripts.has(s)).map((name) => ({ kind: 'script', name, note: `${label} runs "${name}"` }));
  }
  if (NPM_RUN.has(sub) || sub === 'run') return rest[0] ? runScript(rest[0], scripts, manager) : [];
  if (manager === 'npm' && NPM_LIFECYCLE.has(sub)) return runScript(NPM_LIFECYCLE.get(sub)!, scripts, manager);
  if ((manager === 'npm' && (sub === 'exec' || sub === 'x')) || ((manager === 'pnpm' || manager === 'yarn') && (sub === 'exec' || sub === 'dlx')) || (manager === 'bun' && sub === 'x')) {
    return runPackage(args.slice(k + 1), scripts);
  }
  if (manager !== 'npm') {
    // `yarn build`, `pnpm build`: a script of that name, else a bin of that name (`yarn prisma …`).
    if (scripts.has(sub)) return runScript(sub, scripts, manager);
    return interpretCommand(args.slice(k), scripts).steps;
  }
  return [];
}

/**
 * A script run by name, with the `pre<name>` and `post<name>` scripts around it. npm, yarn 1, pnpm
 * (enable-pre-post-scripts) and bun all run them; yarn 2+ does not, which only makes this cautious.
 */
function runScript(name: string, scripts: Scripts, runner: string): Step[] {
  if (!scripts.has(name)) return [];
  const steps: Step[] = [];
  if (scripts.has(`pre${name}`)) steps.push({ kind: 'script', name: `pre${name}`, note: `${runner} runs "pre${name}" before "${name}"` });
  steps.push({ kind: 'script', name });
  if (scripts.has(`post${name}`)) steps.push({ kind: 'script', name: `post${name}`, note: `${runner} runs "post${name}" after "${name}"` });
  return steps;
}

/** npm-run-all's patterns: `*` stays within one `:` segment, `**` crosses them. */
function matchScripts(pattern: string, scripts: Scripts): string[] {
  if (!pattern.includes('*')) return [pattern];
  const source = pattern
    .split(/(\*\*|\*)/)
    .map((part) => (part === '**' ? '.*' : part === '*' ? '[^:]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  const re = new RegExp(`^${source}$`);
  return [...scripts.keys()].filter((name) => re.test(name));
}

/**
 * What a trace looks for: a program run with certain arguments (`prisma migrate reset`), or a
 * package.json script reached by its name (the app's `stripe:cleanup`, whose effect only its name
 * tells). One trace serves every matcher at once; each path found is tagged with its matcher's id.
 */
export interface CommandMatcher {
  id: string;
  /** A phrase for what was found (`prisma migrate reset`), when the program and its arguments are this matcher's. */
  command?(program: string, args: readonly string[]): string | undefined;
  /** The same for a script reached by name. */
  script?(name: string): string | undefined;
  /** It acts on DATABASE_URL: against a job's own CI database (localhost, a service container) it is harmless. */
  database?: boolean;
}

/** One way a command line reaches what a matcher looks for. */
export interface TracedPath {
  /** The matcher that recognised the end of the path. */
  matcher: string;
  /** What was found, in the matcher's words (`prisma db push --accept-data-loss`, `"stripe:cleanup"`). */
  what: string;
  /** Offset, in the command line traced, of the simple command where the path starts. */
  offset: number;
  /** The commands along the way, the first one from the traced line and the last the one matched. */
  hops: string[];
  /**
   * The package.json script at the end of the path: the one whose own command runs the matched
   * program, or the script matched by its name.
   */
  script?: string;
  /** Variables assigned along the way (`DATABASE_URL=… npx prisma db push`), inner ones last. */
  env: Record<string, string>;
}

/**
 * Every way a command line reaches what the matchers look for, through scripts and the scripts they
 * run. `via` holds the scripts already on the way here, so a cycle of scripts ends instead of looping.
 * One path per (matcher, starting command, script at the end): enough to show, annotate and fix each.
 */
export function tracePaths(source: string, scripts: Scripts, matchers: readonly CommandMatcher[], via: readonly string[] = []): TracedPath[] {
  const paths: TracedPath[] = [];
  const seen = new Set<string>();
  const add = (path: TracedPath) => {
    const key = `${path.matcher}\u0000${path.offset}\u0000${path.script ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    paths.push(path);
  };
  for (const command of splitShellCommands(source)) {
    const { steps, env } = interpretCommand(command.words, scripts);
    for (const step of steps) {
      if (step.kind === 'run') {
        for (const m of matchers) {
          const what = m.command?.(step.program, step.args);
          if (what) add({ matcher: m.id, what, offset: command.offset, hops: [command.text], env });
        }
      } else if (step.kind === 'shell') {
        for (const inner of tracePaths(step.source, scripts, matchers, via)) add({ ...inner, offset: command.offset, env: { ...env, ...inner.env } });
      } else if (!via.includes(step.name) && via.length < 32) {
        const hop = step.note ? `${command.text} (${step.note})` : command.text;
        for (const m of matchers) {
          const what = m.script?.(step.name);
          if (what) add({ matcher: m.id, what, offset: command.offset, hops: [hop], script: step.name, env });
        }
        for (const inner of tracePaths(scripts.get(step.name)!.command, scripts, matchers, [...via, step.name])) {
          add({ ...inner, offset: command.offset, hops: [hop, ...inner.hops], script: inner.script ?? step.name, env: { ...env, ...inner.env } });
        }
      }
    }
  }
  return paths;
}

/** `<sub> <sub2>` as the first two arguments that are not options (`--schema x` takes a value). */
export function prismaSubcommand(args: readonly string[]): string[] {
  const positional: string[] = [];
  for (let k = 0; k < args.length && positional.length < 2; k++) {
    if (args[k] === '--schema' || args[k] === '--config') k++;
    else if (!args[k]!.startsWith('-')) positional.push(args[k]!);
  }
  return positional;
}

/** `prisma db push`, with any flags. */
export const DB_PUSH: CommandMatcher = {
  id: 'db-push',
  database: true,
  command: (program, args) => {
    const [a, b] = prismaSubcommand(args);
    return program === 'prisma' && a === 'db' && b === 'push' ? 'prisma db push' : undefined;
  },
};

/** Every way a command line reaches `prisma db push` (gate.no-db-push's matcher alone). */
export function traceDbPush(source: string, scripts: Scripts, via: readonly string[] = []): TracedPath[] {
  return tracePaths(source, scripts, [DB_PUSH], via);
}
