/**
 * `next`: an offline stand-in for the Next.js 15 CLI, installed in the sandbox's fixture app by
 * `npm ci` (a `file:vendor/next` dependency). `next build` does what can fail a real build of a
 * pages-router app without its dependencies:
 *
 * - "compiles" every page (pages/ or src/pages/): a syntax error fails the build, as webpack would;
 * - checks types when the app has a tsconfig.json, with the real TypeScript compiler (the sandbox's
 *   own, found through `.sandbox.json`), and fails on the first type error, printed like Next does.
 *   React and Next type packages are not installed, so diagnostics about those missing modules
 *   (and JSX typing that comes from them) are ignored: what is left are the app's own type errors;
 * - prints the route table and writes `.next/BUILD_ID`;
 * - warns, as its bundled browserslist does, when the app's caniuse-lite data is six months old.
 *
 * `next lint` passes; `next dev`/`next start` exit 1 (the sandbox serves the app itself).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const VERSION = '15.5.3';
const PAGE_EXT = /\.(tsx|ts|jsx|js)$/;
/** Missing modules, missing declarations, JSX types that React's packages would give. */
const IGNORED_DIAGNOSTICS = new Set([2307, 2792, 7016, 7026, 2875, 2503, 2686, 17004]);

const out = (text = '') => process.stdout.write(`${text}\n`);
const err = (text = '') => process.stderr.write(`${text}\n`);

function walk(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : PAGE_EXT.test(e.name) ? [path.join(dir, e.name)] : [],
  );
}

/** `.sandbox.json`'s modules (the sandbox's own typescript and @types/node), or {}. */
function sandboxModules(cwd) {
  for (let d = cwd; ; d = path.dirname(d)) {
    const file = path.join(d, '.sandbox.json');
    if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')).modules ?? {};
    if (d === path.dirname(d)) return {};
  }
}

/** TypeScript from `.sandbox.json`, else the app's own, else undefined. */
async function loadTypescript(modules) {
  try {
    return (await import(modules.typescript ? pathToFileURL(modules.typescript).href : 'typescript')).default;
  } catch {
    return undefined;
  }
}

/** Next's code frame: two lines around, `>` on the error line, a caret under the column. */
function codeFrame(text, line, column) {
  const lines = text.split('\n');
  const width = String(Math.min(lines.length, line + 2)).length;
  const rows = [];
  for (let n = Math.max(1, line - 2); n <= Math.min(lines.length, line + 2); n++) {
    rows.push(`${n === line ? '>' : ' '} ${String(n).padStart(width)} | ${lines[n - 1]}`);
    if (n === line) rows.push(`  ${' '.repeat(width)} | ${' '.repeat(column - 1)}^`);
  }
  return rows.join('\n');
}

function where(ts, cwd, diagnostic) {
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start ?? 0);
  return {
    file: `./${path.relative(cwd, diagnostic.file.fileName)}`,
    line: line + 1,
    column: character + 1,
    message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n  '),
    frame: codeFrame(diagnostic.file.text, line + 1, character + 1),
  };
}

function createProgram(ts, cwd, pages, nodeTypes) {
  const configFile = path.join(cwd, 'tsconfig.json');
  let options = { jsx: ts.JsxEmit.Preserve, allowJs: true, strict: false };
  let fileNames = pages;
  if (existsSync(configFile)) {
    const { config } = ts.readConfigFile(configFile, ts.sys.readFile);
    const parsed = ts.parseJsonConfigFileContent(config ?? {}, ts.sys, cwd);
    options = parsed.options;
    fileNames = parsed.fileNames.filter((f) => !/[\\/](node_modules|vendor|\.next)[\\/]/.test(f));
  }
  // The app's @types/node (a devDependency of the real app), from the sandbox when it is not installed.
  if (nodeTypes) fileNames = [...fileNames, nodeTypes];
  return ts.createProgram(fileNames, {
    ...options,
    noEmit: true,
    incremental: false,
    skipLibCheck: true,
    types: [],
    typeRoots: [],
  });
}

function route(pagesDir, file) {
  let r = `/${path.relative(pagesDir, file).replace(PAGE_EXT, '').split(path.sep).join('/')}`;
  r = r.replace(/\/index$/, '') || '/';
  return r;
}

function formatSize(bytes) {
  if (bytes < 1000) return `${bytes} B`;
  const kb = bytes / 1000;
  return `${kb < 10 ? kb.toFixed(2) : kb < 100 ? kb.toFixed(1) : Math.round(kb)} kB`;
}

/**
 * What Next's bundled browserslist does when the build reads the browser targets: it loads the app's
 * `caniuse-lite` (`dist/unpacker/agents`), takes the newest browser release date in it, and when that
 * is six calendar months old or more prints its warning (browserslist 4.28, node.js `oldDataWarning`),
 * unless BROWSERSLIST_IGNORE_OLD_DATA is set.
 */
function browserslistOldDataWarning(cwd) {
  if (process.env.BROWSERSLIST_IGNORE_OLD_DATA) return;
  let agents;
  try {
    agents = createRequire(path.join(cwd, 'package.json'))('caniuse-lite/dist/unpacker/agents').agents;
  } catch {
    return;
  }
  let latest = 0;
  for (const name in agents) for (const key in agents[name].release_date ?? {}) latest = Math.max(latest, agents[name].release_date[key] ?? 0);
  const now = new Date();
  const past = new Date(latest * 1000);
  const monthsPassed = (now.getFullYear() - past.getFullYear()) * 12 + now.getMonth() - past.getMonth();
  if (latest !== 0 && monthsPassed >= 6) {
    console.warn(
      `Browserslist: browsers data (caniuse-lite) is ${monthsPassed} ${monthsPassed > 1 ? 'months' : 'month'} old. Please run:\n` +
        '  npx update-browserslist-db@latest\n' +
        '  Why you should do it regularly: https://github.com/browserslist/update-db#readme',
    );
  }
}

async function build(cwd) {
  const started = performance.now();
  out(`   ▲ Next.js ${VERSION}`);
  const envFiles = ['.env.production.local', '.env.local', '.env.production', '.env'].filter((f) => existsSync(path.join(cwd, f)));
  if (envFiles.length) out(`   - Environments: ${envFiles.join(', ')}`);
  out('\n   Creating an optimized production build ...');
  browserslistOldDataWarning(cwd);

  const pagesDir = [path.join(cwd, 'pages'), path.join(cwd, 'src', 'pages')].find((d) => existsSync(d));
  if (!pagesDir) {
    err("> Couldn't find any `pages` or `app` directory. Please create one under the project root");
    return 1;
  }
  const pages = walk(pagesDir);
  const modules = sandboxModules(cwd);
  const ts = await loadTypescript(modules);
  const program = ts ? createProgram(ts, cwd, pages, modules['@types/node']) : undefined;

  // Compile: a page that does not parse fails the build.
  for (const page of pages) {
    const source = program?.getSourceFile(page);
    const syntax = source ? program.getSyntacticDiagnostics(source) : [];
    if (syntax.length) {
      const d = where(ts, cwd, syntax[0]);
      err(`Failed to compile.\n\n${d.file}:${d.line}:${d.column}\nSyntax error: ${d.message}\n\n${d.frame}\n\n> Build failed because of webpack errors`);
      return 1;
    }
  }
  out(` ✓ Compiled successfully in ${((performance.now() - started) / 1000).toFixed(1)}s`);

  // Types: the first error fails the build, as Next's type-check worker reports it.
  if (!program) out('   Skipping validation of types (TypeScript is not available)');
  else if (existsSync(path.join(cwd, 'tsconfig.json'))) {
    process.stdout.write('   Linting and checking validity of types ...');
    const errors = [...program.getSemanticDiagnostics(), ...program.getSyntacticDiagnostics()].filter(
      (d) => d.category === ts.DiagnosticCategory.Error && d.file && !IGNORED_DIAGNOSTICS.has(d.code),
    );
    if (errors.length) {
      const d = where(ts, cwd, errors[0]);
      out('Failed to compile.\n');
      err(`${d.file}:${d.line}:${d.column}\nType error: ${d.message}\n\n${d.frame}`);
      err('Next.js build worker exited with code: 1 and signal: null');
      return 1;
    }
    out('\n ✓ Linting and checking validity of types');
  }

  const routes = pages
    .map((file) => {
      const r = route(pagesDir, file);
      const text = readFileSync(file, 'utf8');
      const dynamic = r.startsWith('/api/') || /\[/.test(r) || /getServerSideProps/.test(text);
      const size = r.startsWith('/api/') || r === '/_app' || r === '/_document' ? 0 : Math.round(statSync(file).size * 0.9);
      return { r, dynamic, size, special: r === '/_app' || r === '/_document' };
    })
    .filter((x) => x.r !== '/_document');
  if (!routes.some((x) => x.r === '/404')) routes.push({ r: '/404', dynamic: false, size: 180, special: false });
  routes.sort((a, b) => a.r.localeCompare(b.r));
  const statics = routes.filter((x) => !x.dynamic && !x.special).length;
  out('   Collecting page data ...');
  out(`   Generating static pages (0/${statics}) ...`);
  out(` ✓ Generating static pages (${statics}/${statics})`);
  out('   Finalizing page optimization ...');
  out('   Collecting build traces ...\n');

  const shared = 102_400;
  out(`Route (pages)${' '.repeat(33)}Size  First Load JS`);
  routes.forEach((x, i) => {
    const mark = i === 0 ? '┌' : i === routes.length - 1 ? '└' : '├';
    const kind = x.special ? ' ' : x.dynamic ? 'ƒ' : '○';
    out(`${mark} ${kind} ${x.r.padEnd(38)}${formatSize(x.size).padStart(8)}${formatSize(shared + x.size).padStart(15)}`);
  });
  out(`+ First Load JS shared by all${formatSize(shared).padStart(24)}`);
  out('  ├ chunks/framework-acc5f1d3f3b6c8e3.js   57.7 kB');
  out('  ├ chunks/main-3bd5f9a1a8e33e4c.js        34.4 kB');
  out('  └ other shared chunks (total)            10.3 kB\n');
  out('○  (Static)   prerendered as static content');
  out('ƒ  (Dynamic)  server-rendered on demand\n');

  mkdirSync(path.join(cwd, '.next'), { recursive: true });
  writeFileSync(path.join(cwd, '.next', 'BUILD_ID'), randomBytes(16).toString('base64url').slice(0, 21));
  return 0;
}

export async function main(argv) {
  const cwd = process.cwd();
  const [command] = argv.filter((a) => !a.startsWith('-'));
  if (argv.includes('--version') || argv.includes('-v')) {
    out(`Next.js v${VERSION}`);
    return 0;
  }
  if (command === 'build') return build(cwd);
  if (command === 'lint') {
    out('✔ No ESLint warnings or errors');
    return 0;
  }
  err(`\`next ${argv.join(' ')}\` is not available in this offline stand-in of Next.js (the gate's sandbox): it runs \`next build\` and \`next lint\`.`);
  return 1;
}
