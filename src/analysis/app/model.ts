/**
 * The app model: what the gate knows of the app it judges, read once per run from the app's
 * repository (`working-directory`), so that every rule asks it instead of assuming one app's names:
 *
 * - the package manager and its lockfile (the install command), the build script;
 * - the auth library (NextAuth v4 or Auth.js v5, from package.json; the installed version is in the
 *   lockfile, see ./auth-library.ts) and what its configuration says (providers, their clients);
 * - the variables the app reads and the role each plays (./variables.ts);
 * - the pages and API routes (./routes.ts), and the paths of the routes the guide names (health,
 *   sign-in, sign-up, its API, pricing, the Stripe webhook and sync routes);
 * - the Stripe events the webhook handler acts on, where plans come from (./stripe.ts);
 * - Sentry present or not; the Prisma datasource provider and migration lock (./prisma.ts).
 *
 * A repository that holds no Next.js app (no package.json that depends on `next`: the gate run for
 * its live checks only, from another directory) gives the model of the guide's own app
 * (src/target-app.ts): its names, routes and events, as the gate always assumed. The config file's
 * `app` section and `paths` override each part (docs/configuration.md).
 *
 * Pure reading: no rule, no outcome. Never throws: an unreadable file is a part not found.
 */
import type { PackageManager } from './lockfile.js';
import { LOCKFILES } from './lockfile.js';
import { readPrisma, type CatalogTables, type PrismaFacts } from './prisma.js';
import { firstStatic, matchRoute, readRoutes, type AppRoute } from './routes.js';
import { isFile, readHead, readSources, readText, sourceFile, type SourceFile } from './sources.js';
import { findWebhookHandler, priceIdVariables, type WebhookHandler } from './stripe.js';
import {
  authConfigFacts,
  inferRoles,
  oauthProviders,
  prismaVariables,
  secretLikeName,
  stripeHints,
  templateNames,
  variablesIn,
  type AuthConfigFacts,
  type AuthFamily,
  type OAuthProvider,
  type RoleVariable,
  type VariableRole,
  type VariableUse,
} from './variables.js';
import { APP_FLAGS, APP_VARIABLES, HANDLED_EVENTS, SECRET_VARIABLES } from '../../target-app.js';

export type { AuthFamily, OAuthProvider, RoleVariable, VariableRole, VariableUse } from './variables.js';
export type { AppRoute } from './routes.js';
export type { CatalogTables, PrismaFacts } from './prisma.js';
export type { WebhookHandler } from './stripe.js';

/** The routes the guide names, as the app has them; undefined when it has none. */
export interface AppPaths {
  health?: string;
  /** The sign-in page. */
  login?: string;
  /** The sign-up page. */
  register?: string;
  /** The sign-up API (its own route, never NextAuth's catch-all). */
  registerApi?: string;
  pricing?: string;
  stripeWebhook?: string;
  stripeSync?: string;
  /** NextAuth's base path (`/api/auth`). */
  authBase: string;
  /** More pages for the header rules (config only). */
  pages: string[];
}

export type PathKey = Exclude<keyof AppPaths, 'pages' | 'authBase'>;
export type Source = 'config' | 'app' | 'default';

export interface AppModel {
  /** A Next.js app was found and read; false: the guide's app is assumed (see the header). */
  found: boolean;
  /** Why not, or what was read, in a sentence (shown in the JSON report and by rules that skip). */
  note: string;
  packageManager: { name: PackageManager; lockfile?: string; yarnBerry?: boolean; source: Source | 'packageManager' };
  /** The install the lockfile's own package manager does, frozen to the lockfile. */
  install: { command: string; why: string };
  /** The build: `build-ci` when the app has it, else `build`; undefined when package.json has neither. */
  build: { script?: string; command?: string; why: string };
  scripts: Record<string, string>;
  auth: {
    family?: AuthFamily;
    /** `next-auth` or `@auth/core`, and the range package.json asks for. */
    package?: string;
    range?: string;
    config: AuthConfigFacts;
    /** Provider ids the app configures; with `providersVariable`, the ones that variable may enable. */
    providers: string[];
    /** The variable that selects providers at run time (the guide's app: AUTH_PROVIDERS). */
    providersVariable?: string;
    /** GitHub and Google, when configured, with their client variables. */
    oauth: OAuthProvider[];
  };
  variables: {
    /** Every variable the app reads, with where it is read first. */
    read: Record<string, VariableUse>;
    roles: Partial<Record<VariableRole, RoleVariable>>;
    /** Names whose values are secrets (masked everywhere, checked for reuse and leaks). */
    secrets: string[];
    /** The guide's §1 flags the app reads (ENABLE_HSTS, …). */
    flags: string[];
  };
  routes: { known: boolean; routers: string[]; list: AppRoute[] };
  paths: AppPaths;
  /** Where each path came from. */
  pathSources: Record<PathKey, Source>;
  stripe: {
    /** The app depends on the `stripe` SDK (or the config says so). */
    uses: boolean;
    webhook?: WebhookHandler;
    /** The events the app handles (its handler's, the config's, or the guide's); empty when it has no handler. */
    events: string[];
    eventsSource: Source;
    plans: { source: 'database' | 'price-ids' | 'none'; priceIdVariables: string[]; catalog?: CatalogTables };
  };
  sentry: { present: boolean; why: string };
  prisma?: PrismaFacts;
}

import { CONFIG_PATHS, CONFIG_ROLES, type ConfigPathKey, type ConfigRole } from './roles.js';
export { CONFIG_PATHS, CONFIG_ROLES, roleValue, wantedNames, type ConfigPathKey, type ConfigRole } from './roles.js';

/** The config file's `app` section and `paths` (validated by src/config.ts). */
export interface AppOverrides {
  auth?: AuthFamily;
  'package-manager'?: PackageManager;
  'build-script'?: string;
  variables?: Partial<Record<ConfigRole, string>>;
  secrets?: string[];
  providers?: string[];
  'webhook-events'?: string[];
  plans?: 'database' | 'price-ids' | 'none';
  sentry?: boolean;
  paths?: Partial<Record<ConfigPathKey, string | false>> & { pages?: string[] };
}



/** The guide's app (target-app.md): its routes. */
export const GUIDE_PATHS: Required<Omit<AppPaths, 'pages'>> = {
  health: '/api/health',
  login: '/auth/login',
  register: '/auth/join',
  registerApi: '/api/auth/join',
  pricing: '/pricing',
  stripeWebhook: '/api/webhooks/stripe',
  stripeSync: '/api/admin/stripe/sync',
  authBase: '/api/auth',
};

const PATH_KEYS: readonly PathKey[] = ['health', 'login', 'register', 'registerApi', 'pricing', 'stripeWebhook', 'stripeSync'];

interface PackageJsonFacts {
  name?: string;
  version?: string;
  scripts?: Record<string, unknown>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  packageManager?: string;
  prisma?: { schema?: string };
}

/** Reads the app model of `root` (see the header). */
export async function readAppModel(root: string, overrides: AppOverrides = {}): Promise<AppModel> {
  const pkgText = await readText(root, 'package.json', 4 * 1024 * 1024);
  let pkg: PackageJsonFacts | undefined;
  try {
    pkg = pkgText === undefined ? undefined : (JSON.parse(pkgText.replace(/^\uFEFF/, '')) as PackageJsonFacts);
  } catch {
    pkg = undefined;
  }
  const deps = { ...pkg?.devDependencies, ...pkg?.dependencies };
  const found = pkg !== undefined && typeof deps.next === 'string';
  const scripts = Object.fromEntries(Object.entries(pkg?.scripts ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string'));
  const packageManager = await detectPackageManager(root, pkg, overrides);
  if (!found) return guideModel(root, pkg, scripts, packageManager, overrides);

  const [{ files }, { routes, routers }, prisma, template] = await Promise.all([
    readSources(root),
    readRoutes(root),
    readPrisma(root, pkg?.prisma?.schema),
    readTemplate(root),
  ]);
  const byFile = new Map(files.map((f) => [f.file, f]));

  // The variables the app reads.
  const read = new Map<string, VariableUse>();
  for (const file of files) for (const [name, use] of variablesIn(file)) if (!read.has(name)) read.set(name, use);
  let prismaUrl: string | undefined;
  if (prisma) {
    const text = await readText(root, prisma.schemaFile);
    if (text !== undefined) {
      const vars = prismaVariables(sourceFile(prisma.schemaFile, text));
      for (const [name, use] of vars.all) if (!read.has(name)) read.set(name, use);
      prismaUrl = vars.url;
    }
  }

  const family = overrides.auth ?? authFamily(deps);
  const authPackage = deps['next-auth'] !== undefined ? 'next-auth' : deps['@auth/core'] !== undefined ? '@auth/core' : undefined;
  const authFiles = files.filter((f) => /next-auth|@auth\/core|NextAuth/.test(f.text));
  const auth = authConfigFacts(authFiles);
  const usesStripe = overrides.plans !== undefined || deps.stripe !== undefined || read.has('STRIPE_SECRET_KEY') || read.has('STRIPE_API_KEY');
  const sentry = detectSentry(deps, files, overrides);
  const roleInputs = { read, family, auth, stripe: stripeHints(files), prismaUrl, usesStripe, usesSentry: sentry.present };
  const roles = inferRoles(roleInputs);
  const providersVariable = roles.authProviders?.name;
  const providers = overrides.providers ?? auth.providers;
  const oauth = oauthProviders(roleInputs, ['github', 'google'].filter((id) => providers.includes(id) || (providersVariable !== undefined && auth.providers.length === 0)));
  applyRoleOverrides(roles, oauth, overrides.variables);

  // Routes and the paths of the guide's routes.
  const known = routes.length > 0;
  const webhook = known ? findWebhookHandler(routes, byFile) : undefined;
  const appPaths = known ? pathsFromRoutes(routes, auth, webhook) : { ...GUIDE_PATHS, pages: [] };
  const { paths, pathSources } = applyPathOverrides(appPaths, known ? 'app' : 'default', overrides.paths);

  // Stripe: events and plans.
  const events = overrides['webhook-events'] ?? webhook?.events ?? [];
  const priceIds = priceIdVariables(read.keys());
  const catalog = prisma?.catalog;
  const plansSource = overrides.plans ?? (paths.stripeSync || (catalog && webhook?.events.some((e) => /^(product|price)\./.test(e))) ? 'database' : priceIds.length > 0 ? 'price-ids' : catalog ? 'database' : 'none');

  const readNames = [...read.keys()];
  const secrets = new Set<string>([...SECRET_VARIABLES, ...(overrides.secrets ?? [])]);
  for (const role of ['authSecret', 'stripeSecretKey', 'stripeWebhookSecret', 'stripeSyncSecret'] as const) {
    const r = roles[role];
    if (r) for (const n of [r.name, ...r.aliases]) secrets.add(n);
  }
  for (const p of oauth) if (p.clientSecret) secrets.add(p.clientSecret.name);
  for (const n of [...readNames, ...template]) if (secretLikeName(n)) secrets.add(n);

  const flags = Object.keys(APP_FLAGS).filter((f) => read.has(f));
  const packageScripts = scripts;
  return {
    found: true,
    note: `read ${files.length} modules, ${routes.length} routes (${routers.join(', ') || 'no router'}), ${read.size} variables`,
    packageManager,
    install: installCommand(packageManager),
    build: buildCommand(packageScripts, packageManager.name, overrides['build-script']),
    scripts: packageScripts,
    auth: { family, package: authPackage, range: authPackage ? deps[authPackage] : undefined, config: auth, providers, providersVariable, oauth },
    variables: { read: Object.fromEntries(read), roles, secrets: [...secrets].sort(), flags },
    routes: { known, routers, list: routes },
    paths,
    pathSources,
    stripe: {
      uses: usesStripe,
      webhook,
      events,
      eventsSource: overrides['webhook-events'] ? 'config' : 'app',
      plans: { source: plansSource, priceIdVariables: priceIds, catalog },
    },
    sentry,
    prisma,
  };
}

/** The guide's own app (src/target-app.ts), for a directory that holds no Next.js app. */
function guideModel(root: string, pkg: PackageJsonFacts | undefined, scripts: Record<string, string>, packageManager: AppModel['packageManager'], overrides: AppOverrides): AppModel {
  const read = Object.fromEntries(APP_VARIABLES.map((n) => [n, { file: 'src/target-app.ts', line: 1 }]));
  const role = (name: string, aliases: string[] = []): RoleVariable => ({ name, aliases, how: 'default' });
  const roles: Partial<Record<VariableRole, RoleVariable>> = {
    appUrl: role('APP_URL'),
    authUrl: role('NEXTAUTH_URL'),
    authSecret: role('NEXTAUTH_SECRET'),
    databaseUrl: role('DATABASE_URL'),
    stripeSecretKey: role('STRIPE_SECRET_KEY'),
    stripeWebhookSecret: role('STRIPE_WEBHOOK_SECRET'),
    stripeSyncSecret: role('STRIPE_SYNC_SECRET'),
    sentryDsn: role('NEXT_PUBLIC_SENTRY_DSN', ['SENTRY_DSN']),
    authProviders: role('AUTH_PROVIDERS'),
    authDebug: role('NEXTAUTH_DEBUG'),
  };
  const oauth: OAuthProvider[] = ['github', 'google'].map((id) => ({
    id,
    clientId: role(`${id.toUpperCase()}_CLIENT_ID`),
    clientSecret: role(`${id.toUpperCase()}_CLIENT_SECRET`),
  }));
  applyRoleOverrides(roles, oauth, overrides.variables);
  const { paths, pathSources } = applyPathOverrides({ ...GUIDE_PATHS, pages: [] }, 'default', overrides.paths);
  const secrets = new Set<string>([...SECRET_VARIABLES, ...(overrides.secrets ?? [])]);
  for (const r of Object.values(roles)) if (r && secretLikeName(r.name)) secrets.add(r.name);
  for (const p of oauth) if (p.clientSecret) secrets.add(p.clientSecret.name);
  return {
    found: false,
    note: pkg ? 'package.json does not depend on next: the guide\'s app is assumed' : `no package.json in ${root}: the guide's app is assumed`,
    packageManager,
    install: pkg ? installCommand(packageManager) : { command: 'npm ci', why: 'the guide\'s install (no package.json to read)' },
    build: pkg ? buildCommand(scripts, packageManager.name, overrides['build-script']) : { script: 'build-ci', command: 'npm run build-ci', why: 'the guide\'s build (no package.json to read)' },
    scripts,
    auth: { family: overrides.auth ?? 'next-auth-v4', config: { files: [], providers: [], clients: {} }, providers: overrides.providers ?? ['github', 'google', 'credentials', 'email'], providersVariable: 'AUTH_PROVIDERS', oauth },
    variables: { read, roles, secrets: [...secrets].sort(), flags: Object.keys(APP_FLAGS) },
    routes: { known: false, routers: [], list: [] },
    paths,
    pathSources,
    stripe: {
      uses: true,
      events: overrides['webhook-events'] ?? [...HANDLED_EVENTS],
      eventsSource: overrides['webhook-events'] ? 'config' : 'default',
      plans: { source: overrides.plans ?? 'database', priceIdVariables: [], catalog: { products: { table: 'Service', model: 'Service', nameColumn: 'name' }, prices: { table: 'Price', model: 'Price' } } },
    },
    sentry: { present: overrides.sentry ?? true, why: overrides.sentry === undefined ? 'the guide\'s app uses Sentry' : 'the config file says so (app.sentry)' },
  };
}

function authFamily(deps: Record<string, string>): AuthFamily | undefined {
  const range = deps['next-auth'];
  if (range !== undefined) {
    // `^5.0.0-beta.25`, `5.0.0-beta.19`, `beta`: Auth.js v5; a 4.x range (or anything else) is v4.
    return /(?:^|[^\d.])5\.|^beta$|^next$/.test(range.trim()) ? 'authjs-v5' : 'next-auth-v4';
  }
  return deps['@auth/core'] !== undefined ? 'authjs-v5' : undefined;
}

async function detectPackageManager(root: string, pkg: PackageJsonFacts | undefined, overrides: AppOverrides): Promise<AppModel['packageManager']> {
  const declared = /^(npm|pnpm|yarn|bun)@/.exec(pkg?.packageManager ?? '')?.[1] as PackageManager | undefined;
  const present: Array<{ file: string; manager: PackageManager }> = [];
  for (const l of LOCKFILES) if (await isFile(root, l.file)) present.push(l);
  const name = overrides['package-manager'] ?? declared ?? present[0]?.manager ?? 'npm';
  const lockfile = present.find((l) => l.manager === name)?.file;
  let yarnBerry: boolean | undefined;
  if (name === 'yarn') {
    // Berry's lockfile is YAML with a `__metadata` block near its top; Yarn 1's has its own format.
    const head = lockfile ? await readHead(root, lockfile, 4096) : undefined;
    yarnBerry = head !== undefined ? /(^|\n)__metadata:/.test(head) : /^yarn@[2-9]/.test(pkg?.packageManager ?? '');
  }
  const source = overrides['package-manager'] ? 'config' : declared ? 'packageManager' : present.length ? 'app' : 'default';
  return { name, lockfile, ...(yarnBerry === undefined ? {} : { yarnBerry }), source };
}

/** The lockfile's own frozen install (what each package manager does in CI). */
export function installCommand(pm: AppModel['packageManager']): { command: string; why: string } {
  const lock = pm.lockfile ? ` (${pm.lockfile})` : '';
  switch (pm.name) {
    case 'pnpm':
      return { command: 'pnpm install --frozen-lockfile', why: `the pnpm lockfile${lock}` };
    case 'yarn':
      return pm.yarnBerry
        ? { command: 'yarn install --immutable', why: `the Yarn Berry lockfile${lock}` }
        : { command: 'yarn install --frozen-lockfile', why: `the Yarn 1 lockfile${lock}` };
    case 'bun':
      return { command: 'bun install --frozen-lockfile', why: `the Bun lockfile${lock}` };
    default:
      return { command: 'npm ci', why: pm.lockfile ? `the npm lockfile${lock}` : 'npm, the default (no lockfile found)' };
  }
}

const RUN: Record<PackageManager, string> = { npm: 'npm run', pnpm: 'pnpm run', yarn: 'yarn run', bun: 'bun run' };

function buildCommand(scripts: Record<string, string>, pm: PackageManager, chosen?: string): AppModel['build'] {
  if (chosen) return { script: chosen, command: `${RUN[pm]} ${chosen}`, why: 'the config file names it (app.build-script)' };
  if (scripts['build-ci'] !== undefined) return { script: 'build-ci', command: `${RUN[pm]} build-ci`, why: 'package.json has a build-ci script' };
  if (scripts.build !== undefined) return { script: 'build', command: `${RUN[pm]} build`, why: 'package.json has a build script (and no build-ci)' };
  return { why: 'package.json has no build or build-ci script' };
}

function detectSentry(deps: Record<string, string>, files: readonly SourceFile[], overrides: AppOverrides): AppModel['sentry'] {
  if (overrides.sentry !== undefined) return { present: overrides.sentry, why: 'the config file says so (app.sentry)' };
  const pkg = Object.keys(deps).find((d) => d.startsWith('@sentry/'));
  if (pkg) return { present: true, why: `package.json depends on ${pkg}` };
  const config = files.find((f) => /(?:^|\/)sentry\.(?:client|server|edge)\.config\.[cm]?[jt]s$/.test(f.file) || (/(?:^|\/)instrumentation\.[jt]s$/.test(f.file) && /@sentry\//.test(f.text)));
  if (config) return { present: true, why: `${config.file} configures Sentry` };
  return { present: false, why: 'no @sentry/* dependency and no sentry.*.config file' };
}

async function readTemplate(root: string): Promise<string[]> {
  for (const name of ['.env.example', '.env.sample', '.env.template', '.env.local.example']) {
    const text = await readText(root, name);
    if (text !== undefined) return templateNames(text);
  }
  return [];
}

/** The guide's routes, as the app's router has them. */
function pathsFromRoutes(routes: readonly AppRoute[], auth: AuthConfigFacts, webhook: WebhookHandler | undefined): AppPaths {
  const nextAuth = routes.find((r) => r.kind === 'api' && r.catchAll && /\/\[\.\.\.nextauth\]$/.test(r.path));
  const authBase = nextAuth ? nextAuth.path.replace(/\/\[\.\.\.nextauth\]$/, '') : GUIDE_PATHS.authBase;
  const api = routes.filter((r) => r.kind === 'api' && !r.catchAll && !r.dynamic);
  const health = api.find((r) => /\/(?:health|healthz|healthcheck|health-check|status|ping|ready|readiness|live|liveness)$/.test(r.path));
  const login =
    (auth.signInPage && matchRoute(routes, auth.signInPage, 'page') ? auth.signInPage : undefined) ??
    firstStatic(routes, ['/auth/login', '/login', '/signin', '/sign-in', '/auth/signin', '/auth/sign-in'], 'page')?.path ??
    // NextAuth's own sign-in page (GET /api/auth/signin) when the app has none.
    (nextAuth ? `${authBase}/signin` : undefined);
  const register = firstStatic(routes, ['/auth/join', '/register', '/signup', '/sign-up', '/join', '/auth/register', '/auth/signup', '/auth/sign-up'], 'page')?.path;
  const registerApi = api.find((r) => /\/(?:join|register|signup|sign-up)$/.test(r.path))?.path;
  const pricing = firstStatic(routes, ['/pricing', '/plans', '/billing/pricing'], 'page')?.path;
  const stripeSync = api.find((r) => /stripe/i.test(r.path) && /sync/i.test(r.path))?.path;
  return { health: health?.path, login, register, registerApi, pricing, stripeWebhook: webhook?.path, stripeSync, authBase, pages: [] };
}

function applyPathOverrides(found: AppPaths, source: Source, given: AppOverrides['paths']): { paths: AppPaths; pathSources: Record<PathKey, Source> } {
  const paths: AppPaths = { ...found, pages: given?.pages ?? [] };
  const pathSources = Object.fromEntries(PATH_KEYS.map((k) => [k, source])) as Record<PathKey, Source>;
  for (const [configKey, key] of Object.entries(CONFIG_PATHS) as Array<[ConfigPathKey, PathKey]>) {
    const value = given?.[configKey];
    if (value === undefined) continue;
    paths[key] = value === false ? undefined : value;
    pathSources[key] = 'config';
    // The guide's convention: the sign-up API is the page's path under /api.
    if (configKey === 'register' && value !== false && given?.['register-api'] === undefined) {
      paths.registerApi = value.startsWith('/api/') ? value : `/api${value}`;
      pathSources.registerApi = 'config';
    }
  }
  return { paths, pathSources };
}

function applyRoleOverrides(roles: Partial<Record<VariableRole, RoleVariable>>, oauth: OAuthProvider[], given: AppOverrides['variables']): void {
  for (const [key, name] of Object.entries(given ?? {}) as Array<[ConfigRole, string]>) {
    const target = CONFIG_ROLES[key];
    const variable: RoleVariable = { name, aliases: [], how: 'config' };
    if (target.includes('.')) {
      const [id, half] = target.split('.') as [string, 'id' | 'secret'];
      let provider = oauth.find((p) => p.id === id);
      if (!provider) oauth.push((provider = { id }));
      if (half === 'id') provider.clientId = variable;
      else provider.clientSecret = variable;
    } else roles[target as VariableRole] = variable;
  }
}


