/**
 * The app's Prisma setup, from `schema.prisma` and `migrations/migration_lock.toml`: the datasource's
 * provider and URL variable, where the migrations live, the provider the lock file records, and the
 * tables a synced Stripe catalog lives in (a `Service`/`Product`/`Plan` model and a `Price` model, with
 * their `@@map` table names and `@map` column names, as Prisma names them in SQL).
 */
import { posix } from 'node:path';
import { readText } from './sources.js';

export interface CatalogTables {
  /** The SQL table of products (`Service`, `products`), and its model. */
  products: { table: string; model: string; nameColumn?: string };
  prices: { table: string; model: string };
}

export interface PrismaFacts {
  /** `prisma/schema.prisma` (or package.json's `prisma.schema`). */
  schemaFile: string;
  /** The datasource's provider (`postgresql`, `mysql`, `sqlite`, `cockroachdb`, …). */
  provider?: string;
  providerLine?: number;
  /** The datasource's `url = env("…")` variable. */
  urlVariable?: string;
  /** `prisma/migrations`, next to the schema. */
  migrationsDir: string;
  /** The lock file and the provider it records; absent when there is no lock file. */
  lock?: { file: string; provider?: string; line?: number };
  catalog?: CatalogTables;
  models: string[];
}

interface Model {
  name: string;
  table: string;
  fields: Map<string, string>;
}

/** Reads the Prisma schema named by package.json (`prisma.schema`) or at `prisma/schema.prisma`. */
export async function readPrisma(root: string, schemaPath?: string): Promise<PrismaFacts | undefined> {
  const candidates = [schemaPath, 'prisma/schema.prisma', 'schema.prisma'].filter((p): p is string => !!p);
  for (const file of candidates) {
    const text = await readText(root, file);
    if (text === undefined) continue;
    const facts = parseSchema(file, text);
    const lockFile = `${facts.migrationsDir}/migration_lock.toml`;
    const lock = await readText(root, lockFile);
    if (lock !== undefined) {
      const m = /^\s*provider\s*=\s*"([^"]*)"/m.exec(lock);
      facts.lock = { file: lockFile, provider: m?.[1], line: m ? lock.slice(0, m.index).split('\n').length + (m[0].startsWith('\n') ? 1 : 0) : undefined };
    }
    return facts;
  }
  return undefined;
}

/** The facts of one schema text (no I/O). */
export function parseSchema(file: string, raw: string): PrismaFacts {
  const text = raw.replace(/\/\/[^\n]*/g, (c) => ' '.repeat(c.length));
  const facts: PrismaFacts = { schemaFile: file, migrationsDir: posix.join(posix.dirname(file), 'migrations'), models: [] };
  const datasource = /\bdatasource\s+\w+\s*\{([^}]*)\}/.exec(text);
  if (datasource) {
    const body = datasource[1]!;
    const start = datasource.index + datasource[0].indexOf('{') + 1;
    const provider = /\bprovider\s*=\s*"([^"]+)"/.exec(body);
    if (provider) {
      facts.provider = provider[1];
      facts.providerLine = text.slice(0, start + provider.index).split('\n').length;
    }
    facts.urlVariable = /\burl\s*=\s*env\(\s*"([^"]+)"\s*\)/.exec(body)?.[1];
  }
  const models: Model[] = [];
  for (const m of text.matchAll(/\bmodel\s+(\w+)\s*\{([^}]*)\}/g)) {
    const body = m[2]!;
    const fields = new Map<string, string>();
    for (const line of body.split('\n')) {
      const field = /^\s*(\w+)\s+\w+/.exec(line);
      if (!field || line.trim().startsWith('@@')) continue;
      fields.set(field[1]!, /@map\(\s*(?:name\s*:\s*)?"([^"]+)"\s*\)/.exec(line)?.[1] ?? field[1]!);
    }
    const table = /@@map\(\s*(?:name\s*:\s*)?"([^"]+)"\s*\)/.exec(body)?.[1] ?? m[1]!;
    models.push({ name: m[1]!, table, fields });
  }
  facts.models = models.map((m) => m.name);
  const product = ['Service', 'Product', 'Plan'].map((n) => models.find((m) => m.name === n)).find((m) => m?.fields.has('id'));
  const price = models.find((m) => m.name === 'Price' && m.fields.has('id'));
  if (product && price) {
    facts.catalog = {
      products: { table: product.table, model: product.name, nameColumn: product.fields.get('name') },
      prices: { table: price.table, model: price.name },
    };
  }
  return facts;
}
