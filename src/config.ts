/**
 * The optional config file (`.github/production-readiness.yml`): its zod schema, the loader that
 * turns a YAML mistake into a message naming the file, line and key, and the JSON Schema editors use.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Document } from 'yaml';
// A namespace import, not `{ z }`: the bundler then keeps only the parts of zod used (about 130 KB
// instead of 580 KB with every locale).
import * as z from 'zod';
import { UsageError } from './errors.js';
import { commonJsExports } from './util/cjs.js';
import { CATALOG_IDS } from './rules/catalog.js';
import { CONFIG_ROLES } from './analysis/app/roles.js';

/** The schema, built on first use: a run without a config file never pays for it. */
function buildConfigSchema() {
  const isoDate = z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD')
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'a real calendar date');

  // Two messages, so a path that does start with "/" is not told to (a line break or a space in it).
  const routePath = z
    .string()
    .regex(/^\//, 'a path starting with "/"')
    .superRefine((value, ctx) => {
      const bad = /\s/.exec(value)?.[0];
      if (bad !== undefined) {
        const what = bad === '\n' || bad === '\r' ? 'a line break' : bad === ' ' ? 'a space' : bad === '\t' ? 'a tab' : `the space character U+${bad.codePointAt(0)!.toString(16).padStart(4, '0').toUpperCase()}`;
        ctx.addIssue({ code: 'custom', message: `a URL path holds no spaces or line breaks (found ${what}); percent-encode it (%20) or remove it` });
      }
    });
  const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');
  const account = z.strictObject({ email: z.string().email(), 'password-env': envName });
  const allowDeny = z.enum(['allow', 'deny']);
  const optionalRoute = z.union([routePath, z.literal(false)]).optional();

  return z.strictObject({
    // The app's routes: each one given here wins over what the app model reads from the app's router
    // (src/analysis/app/model.ts); `false` says the app has no such route.
    paths: z
      .strictObject({
        health: optionalRoute,
        login: optionalRoute,
        register: optionalRoute,
        'register-api': optionalRoute,
        pricing: optionalRoute,
        'stripe-webhook': optionalRoute,
        'stripe-sync': optionalRoute,
        // More pages for the header rules, beside `/`, the sign-in page, the pricing page and the health
        // route (one GET each per run, so the list is bounded).
        pages: z.array(routePath).max(20, 'at most 20 pages').default([]),
      })
      .default(() => ({ pages: [] })),
    // What the app model reads from the repository, named here when it reads it wrong or not at all.
    app: z
      .strictObject({
        auth: z.enum(['next-auth-v4', 'authjs-v5']).optional(),
        'package-manager': z.enum(['npm', 'pnpm', 'yarn', 'bun']).optional(),
        'build-script': z.string().regex(/^[^\s]+$/, 'a package.json script name').optional(),
        variables: z
          .strictObject(Object.fromEntries(Object.keys(CONFIG_ROLES).map((k) => [k, envName.optional()])) as Record<keyof typeof CONFIG_ROLES, z.ZodOptional<typeof envName>>)
          .optional(),
        secrets: z.array(envName).max(100).optional(),
        providers: z.array(z.string().regex(/^[a-z0-9-]+$/, 'a provider id like github')).max(50).optional(),
        'webhook-events': z.array(z.string().regex(/^[a-z_]+(\.[a-z_]+)+$|^\*$/, 'a Stripe event type like checkout.session.completed')).max(300).optional(),
        plans: z.enum(['database', 'price-ids', 'none']).optional(),
        sentry: z.boolean().optional(),
      })
      .optional(),
    plans: z.strictObject({ expected: z.array(z.string().min(1)).optional() }).optional(),
    'smoke-account': account.optional(),
    'feature-gates': z
      .array(
        z.strictObject({
          account,
          team: z.string().min(1),
          expect: z.strictObject({
            sso: allowDeny.optional(),
            webhooks: allowDeny.optional(),
            'audit-logs': allowDeny.optional(),
            'api-keys': allowDeny.optional(),
          }),
        }),
      )
      .optional(),
    operations: z
      .strictObject({
        backups: z
          .strictObject({
            'last-restore-test': isoDate,
            evidence: z.string().url(),
            'max-age-days': z.number().int().positive().default(90),
          })
          .optional(),
        rollback: z.strictObject({ docs: z.array(z.string().min(1)).optional() }).optional(),
      })
      .optional(),
    'migration-safety': z
      .strictObject({
        // The guide's default is advice, not a block: `fail` makes risky pending statements block.
        level: z.enum(['warn', 'fail']).default('warn'),
        // A lock or rewrite on a table above either size blocks (docs/rules.md, gate.migration-safety).
        'block-above-mb': z.number().positive().default(100),
        'block-above-rows': z.number().int().positive().default(1_000_000),
        // The whole prediction's time on production (docs/rules.md, gate.migration-safety): past it,
        // what is left is unknown. Small, so that a large database does not notice the reads.
        'prediction-budget-seconds': z.number().positive().max(600).default(30),
      })
      .default({ level: 'warn', 'block-above-mb': 100, 'block-above-rows': 1_000_000, 'prediction-budget-seconds': 30 }),
    'destructive-commands': z
      .strictObject({
        // More scripts that must never run in production, beside the playbook's setup:db and stripe:cleanup.
        scripts: z.array(z.string().trim().min(1, 'a package.json script name')).max(50, 'at most 50 scripts').default([]),
      })
      .optional(),
    build: z
      .strictObject({
        warnings: z
          .strictObject({
            // A build warning not in `triaged` warns; `fail` makes it block the release.
            new: z.enum(['warn', 'fail']).default('warn'),
            triaged: z
              .array(
                z.strictObject({
                  // The warning as the JSON report lists it (normalised); `*` matches any run of characters.
                  pattern: z.string().trim().min(1, 'a warning as the report lists it'),
                  reason: z.string().trim().min(1, 'a reason'),
                }),
              )
              .max(500, 'at most 500 triaged warnings')
              .default([]),
          })
          .optional(),
      })
      .optional(),
    dependencies: z
      .strictObject({
        // The release checklist's SLA: the browser-baseline chain within this many days of upstream.
        'sla-days': z.number().int().positive().max(365).default(30),
        // What an SLA breach (the chain behind, a Dependabot PR of the group unreviewed) reports.
        stale: z.enum(['warn', 'fail']).default('warn'),
      })
      .optional(),
    waivers: z
      .array(
        z
          .strictObject({
            // An enum, so the shipped JSON Schema lets editors complete and check the id.
            rule: z.enum(CATALOG_IDS as [string, ...string[]], { error: (issue) => unknownRule(issue.input) }),
            reason: z.string().trim().min(1, 'a reason'),
            until: isoDate.optional(),
          })
          .refine((w) => w.rule !== 'gate.destructive-commands' || w.until !== undefined, {
            // The playbook allows a destructive production command only "explicitly approved and planned".
            message: 'a waiver of gate.destructive-commands is an approved, planned run: give its end date (until: YYYY-MM-DD)',
            path: ['until'],
          }),
      )
      .default([]),
  });
}

let schema: ReturnType<typeof buildConfigSchema> | undefined;

/** The config file's zod schema (built once, on first use). */
export function configSchema(): ReturnType<typeof buildConfigSchema> {
  return (schema ??= buildConfigSchema());
}

export type Config = z.output<ReturnType<typeof buildConfigSchema>>;

/** A waiver naming no rule of the catalog: say so, and suggest the id that was probably meant. */
function unknownRule(input: unknown): string {
  if (typeof input !== 'string') return 'a rule id like config.enable-coep';
  const near = CATALOG_IDS.find((id) => id.endsWith(`.${input}`) || input.startsWith(id) || id.startsWith(input));
  return `unknown rule id "${input}"${near ? `; did you mean ${near}?` : ''} (the ids are in docs/rules.md)`;
}

/**
 * What a run without a config file uses: the schema's defaults, written out so that such a run builds
 * no schema (a test checks it equals `configSchema().parse({})`).
 */
export const DEFAULT_CONFIG: Config = {
  paths: { pages: [] },
  'migration-safety': { level: 'warn', 'block-above-mb': 100, 'block-above-rows': 1_000_000, 'prediction-budget-seconds': 30 },
  waivers: [],
};

/**
 * Reads and validates the config file. A missing file is fine when it is the default path
 * (`required` false); a missing file that the user named is an error.
 */
export async function loadConfig(path: string, displayPath: string, required: boolean): Promise<Config> {
  let text: string;
  try {
    await assertReadableFile(path, CONFIG_LIMITS.bytes);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !required) return DEFAULT_CONFIG;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EFBIG') {
      throw new UsageError(`${displayPath}: the file has more than ${CONFIG_LIMITS.bytes / 1024} KB, the most a config file may have. Is config-file pointing at the right file?`);
    }
    throw new UsageError(
      `config-file: cannot read ${displayPath} (${code === 'ENOTREG' ? 'not a regular file' : (code ?? 'error')}); ` +
        'fix the path in the config-file input or remove the input to run without a config file',
    );
  }
  return parseConfig(text, displayPath);
}

/**
 * Throws (with `code` ENOTREG or EFBIG) unless `path` is a regular file of at most `maxBytes`: a
 * device (/dev/zero), a FIFO or a huge file would otherwise be read without end or fill the memory
 * before any size check could run.
 */
export async function assertReadableFile(path: string, maxBytes: number): Promise<void> {
  const info = await stat(path);
  if (!info.isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: info.isDirectory() ? 'EISDIR' : 'ENOTREG' });
  if (info.size > maxBytes) throw Object.assign(new Error(`${path} is larger than ${maxBytes} bytes`), { code: 'EFBIG' });
}

/** Limits that keep a hostile or broken config file from exhausting the runner. */
export const CONFIG_LIMITS = { bytes: 256 * 1024, aliases: 100, depth: 24 };

export async function parseConfig(text: string, displayPath: string): Promise<Config> {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > CONFIG_LIMITS.bytes) {
    throw new UsageError(`${displayPath}: the file has ${Math.round(size / 1024)} KB; a config file may have at most ${CONFIG_LIMITS.bytes / 1024} KB. Is config-file pointing at the right file?`);
  }
  // Loaded only when there is a config file to read.
  const { parseDocument, LineCounter } = commonJsExports(await import('yaml'));
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const pos = lineCounter.linePos(first.pos[0]);
    throw new UsageError(`${displayPath}:${pos.line}: ${yamlProblem(first)}`);
  }
  const tooDeep = deeperThan(doc.contents, CONFIG_LIMITS.depth);
  if (tooDeep !== undefined) {
    throw new UsageError(`${displayPath}:${lineCounter.linePos(tooDeep).line}: nested more than ${CONFIG_LIMITS.depth} levels deep; the config has at most a few levels (see docs/configuration.md)`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: CONFIG_LIMITS.aliases }) ?? {};
  } catch (error) {
    // The yaml library stops alias bombs ("excessive alias count") and bad tags here.
    const reason = /alias count/i.test(String((error as Error).message))
      ? `its aliases expand to too much data (more than ${CONFIG_LIMITS.aliases} alias uses); write the values out`
      : `it cannot be read as data (${String((error as Error).message).split('\n')[0]})`;
    throw new UsageError(`${displayPath}: ${reason}`);
  }
  const result = configSchema().safeParse(raw);
  if (result.success) return result.data;

  const problems = result.error.issues.slice(0, 5).map((issue) => {
    const keyPath = issue.path.map(String);
    let where = keyPath.join('.');
    let message = issue.message;
    if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
      message = `missing (expected ${(issue as { expected: string }).expected})`;
    } else if (issue.code === 'invalid_type') {
      const expected = (issue as { expected: string }).expected;
      const received = /received (\w+)/.exec(issue.message)?.[1];
      message = `expected ${YAML_TYPES[expected] ?? expected}${received ? `, got ${YAML_TYPES[received] ?? received}` : ''}`;
    } else if (issue.code === 'unrecognized_keys') {
      const keys = (issue as { keys: string[] }).keys;
      where = [...keyPath, keys[0]!].join('.');
      message = `unknown key "${keys.join('", "')}"`;
    }
    const node = doc.getIn(where.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)), true) as
      | { range?: [number, number, number] }
      | undefined;
    const keyNode = findKeyNode(doc, where.split('.'));
    const offset = keyNode ?? node?.range?.[0];
    const line = offset === undefined ? '' : `:${lineCounter.linePos(offset).line}`;
    return `${displayPath}${line}: ${where || '(top level)'}: ${message}`;
  });
  const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
  throw new UsageError(`invalid config file: ${problems.join('; ')}${more}. See the config reference in docs/configuration.md`);
}

/**
 * The parser's error in the user's terms. Two of its messages speak to a programmer: a document nested
 * deeper than the parser's own recursion goes ("Maximum call stack size exceeded") and a file of
 * several documents ("please use YAML.parseAllDocuments()").
 */
function yamlProblem(error: { code?: string; message: string }): string {
  const message = error.message.split('\n')[0]!;
  if (/call stack|too much recursion/i.test(message)) {
    return `nested too deep for a config file (the parser gave up); the config has at most ${CONFIG_LIMITS.depth} levels (see docs/configuration.md)`;
  }
  if (error.code === 'MULTIPLE_DOCS' || /multiple documents/i.test(message)) {
    return 'the file holds several YAML documents (a second `---`); the config is one document: merge them or remove the extra `---`';
  }
  return `not valid YAML: ${message}; fix the file and run again`;
}

/** zod's type names in the words of a YAML file. */
const YAML_TYPES: Record<string, string> = { object: 'a mapping (key: value lines)', array: 'a list', string: 'a string', number: 'a number', boolean: 'true or false' };

/** The source offset of the first node nested deeper than `max` levels, if any. */
function deeperThan(node: unknown, max: number, depth = 0): number | undefined {
  if (!node || typeof node !== 'object') return undefined;
  const items = (node as { items?: unknown[] }).items;
  if (!Array.isArray(items)) return undefined;
  if (depth >= max) return (node as { range?: number[] }).range?.[0] ?? 0;
  for (const item of items) {
    const pair = item as { key?: unknown; value?: unknown };
    const child = 'value' in pair || 'key' in pair ? pair.value : item;
    const found = deeperThan(child, max, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The source offset of the key node at `path` (so an unknown key is reported at its own line). */
function findKeyNode(doc: Document, path: string[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined;
  for (const part of path) {
    const items = (node as { items?: unknown[] } | null)?.items;
    if (!Array.isArray(items)) return offset;
    if (/^\d+$/.test(part)) {
      node = items[Number(part)];
      offset = (node as { range?: number[] })?.range?.[0] ?? offset;
      continue;
    }
    const pair = items.find((p) => (p as { key?: { value?: unknown } }).key?.value === part) as
      | { key: { range?: number[] }; value: unknown }
      | undefined;
    if (!pair) return offset;
    offset = pair.key.range?.[0] ?? offset;
    node = pair.value;
  }
  return offset;
}

/** The JSON Schema of the config file, shipped as `schema/config.schema.json` for editors. */
export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema(), { io: 'input' }),
    $id: 'https://github.com/production-readiness-gate/production-readiness-gate/schema/config.schema.json',
    title: 'Production Readiness Gate configuration',
  };
}
