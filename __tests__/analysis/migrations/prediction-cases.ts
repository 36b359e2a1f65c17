/**
 * The failure classes `prisma migrate deploy` meets in the field, each as a migration written the way
 * Prisma generates it, data that breaks it, and the SQLSTATE PostgreSQL raises: the cases the
 * prediction is tested on (prediction.test.ts, each in a failing and a passing twin, the failing one
 * then applied with the sandbox's `migrate deploy`) and that `npm run bench:migrations` counts.
 *
 * Also the harness: one embedded PostgreSQL, an app role that is not a superuser (as a managed
 * database gives), a database per case, and the prediction run as that role, read-only.
 */
import type pg from 'pg';
import { deploy, PrismaError } from '../../../sandbox/vendor/prisma/build/migrate.js';
import { startPostgres, type PostgresHandle } from '../../../sandbox/postgres.js';
import { PRISMA_MIGRATIONS_TABLE_SQL } from '../../../sandbox/schema.js';
import { loadPgParser } from '../../../src/analysis/migrations/pg-parser.js';
import { planPendingSet } from '../../../src/analysis/migrations/plan.js';
import { predict, type Prediction } from '../../../src/analysis/migrations/predict.js';
import { connectReadOnly } from '../../../src/probes/db.js';

export interface PredictionCase {
  /** The failure class. */
  name: string;
  /** What PostgreSQL raises on the failing twin. */
  sqlstate: string;
  /** The migration.sql, as Prisma writes it. */
  migration: string;
  /** The production data both twins share (run as the app role). */
  setup: string;
  /** What makes the failing twin fail (as the app role). */
  breakIt: string;
  /** Run as a superuser before `setup` / after `breakIt` (ownership, grants, extensions). */
  admin?: { setup?: string; breakIt?: string; passing?: string };
}

const USERS = `CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT, "name" TEXT, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
  INSERT INTO "User" SELECT 'u' || g, 'user' || g || '@acme.test', 'User ' || g FROM generate_series(1, 2000) g;`;

export const PREDICTION_CASES: PredictionCase[] = [
  {
    name: 'unique index on duplicates (Prisma @unique)',
    sqlstate: '23505',
    migration: `/*
  Warnings:

  - A unique constraint covering the columns \`[email]\` on the table \`User\` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
`,
    setup: USERS,
    breakIt: `INSERT INTO "User" VALUES ('dup', 'user7@acme.test', 'Dup');`,
  },
  {
    name: 'UNIQUE constraint on duplicates',
    sqlstate: '23505',
    migration: `-- AlterTable\nALTER TABLE "User" ADD CONSTRAINT "User_name_key" UNIQUE ("name");\n`,
    setup: USERS,
    breakIt: `UPDATE "User" SET "name" = 'User 1' WHERE "id" = 'u2';`,
  },
  {
    name: 'primary key on duplicates',
    sqlstate: '23505',
    migration: `-- AlterTable\nALTER TABLE "Item" ADD CONSTRAINT "Item_pkey" PRIMARY KEY ("code");\n`,
    setup: `CREATE TABLE "Item" ("code" TEXT NOT NULL, "label" TEXT); INSERT INTO "Item" SELECT 'c' || g, 'x' FROM generate_series(1, 500) g;`,
    breakIt: `INSERT INTO "Item" VALUES ('c9', 'again');`,
  },
  {
    name: 'primary key on a NULL',
    sqlstate: '23502',
    migration: `-- AlterTable\nALTER TABLE "Item" ADD CONSTRAINT "Item_pkey" PRIMARY KEY ("code");\n`,
    setup: `CREATE TABLE "Item" ("code" TEXT, "label" TEXT); INSERT INTO "Item" SELECT 'c' || g, 'x' FROM generate_series(1, 500) g;`,
    breakIt: `INSERT INTO "Item" VALUES (NULL, 'no code');`,
  },
  {
    name: 'SET NOT NULL on one NULL',
    sqlstate: '23502',
    migration: `/*
  Warnings:

  - Made the column \`name\` on table \`User\` required. This step will fail if there are existing NULL values in that column.

*/
-- AlterTable
ALTER TABLE "User" ALTER COLUMN "name" SET NOT NULL;
`,
    setup: USERS,
    breakIt: `UPDATE "User" SET "name" = NULL WHERE "id" = 'u1500';`,
  },
  {
    name: 'required column without a default on a table with rows',
    sqlstate: '23502',
    migration: `/*
  Warnings:

  - Added the required column \`plan\` to the \`Team\` table without a default value. This is not possible if the table is not empty.

*/
-- AlterTable
ALTER TABLE "Team" ADD COLUMN     "plan" TEXT NOT NULL;
`,
    // Statistics that count 500 rows on a table with none: they prove nothing either way.
    setup: `CREATE TABLE "Team" ("id" TEXT PRIMARY KEY); INSERT INTO "Team" SELECT 't' || g FROM generate_series(1, 500) g; ANALYZE "Team"; DELETE FROM "Team";`,
    breakIt: `INSERT INTO "Team" VALUES ('t1');`,
  },
  {
    name: 'validated foreign key over orphans',
    sqlstate: '23503',
    migration: `-- AddForeignKey\nALTER TABLE "Member" ADD CONSTRAINT "Member_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "Team"("id") ON DELETE RESTRICT ON UPDATE CASCADE;\n`,
    setup: `CREATE TABLE "Team" ("id" TEXT PRIMARY KEY); INSERT INTO "Team" SELECT 't' || g FROM generate_series(1, 50) g;
      CREATE TABLE "Member" ("id" TEXT PRIMARY KEY, "teamId" TEXT); INSERT INTO "Member" SELECT 'm' || g, 't' || (1 + g % 50) FROM generate_series(1, 1000) g;
      INSERT INTO "Member" VALUES ('no-team', NULL);`,
    breakIt: `INSERT INTO "Member" VALUES ('orphan', 't999');`,
  },
  {
    name: 'validated CHECK some rows break',
    sqlstate: '23514',
    migration: `-- AlterTable\nALTER TABLE "Price" ADD CONSTRAINT "Price_amount_check" CHECK ("amount" >= 0 AND "currency" IN ('usd', 'eur'));\n`,
    setup: `CREATE TABLE "Price" ("id" TEXT PRIMARY KEY, "amount" INTEGER, "currency" TEXT); INSERT INTO "Price" SELECT 'p' || g, g * 100, 'usd' FROM generate_series(1, 300) g;`,
    breakIt: `UPDATE "Price" SET "amount" = -1 WHERE "id" = 'p3';`,
  },
  {
    name: 'type change whose cast fails on a value',
    sqlstate: '22P02',
    migration: `-- AlterTable\nALTER TABLE "Invoice" ALTER COLUMN "number" SET DATA TYPE INTEGER USING ("number"::INTEGER);\n`,
    setup: `CREATE TABLE "Invoice" ("id" TEXT PRIMARY KEY, "number" TEXT); INSERT INTO "Invoice" SELECT 'i' || g, g::text FROM generate_series(1, 400) g;`,
    breakIt: `UPDATE "Invoice" SET "number" = 'INV-7' WHERE "id" = 'i7';`,
  },
  {
    name: 'type change to a shorter varchar',
    sqlstate: '22001',
    migration: `/*
  Warnings:

  - You are about to alter the column \`name\` on the \`ApiKey\` table. The data in that column could be lost. The data in that column will be cast from \`Text\` to \`VarChar(100)\`.

*/
-- AlterTable
ALTER TABLE "ApiKey" ALTER COLUMN "name" SET DATA TYPE VARCHAR(100);
`,
    setup: `CREATE TABLE "ApiKey" ("id" TEXT PRIMARY KEY, "name" TEXT NOT NULL); INSERT INTO "ApiKey" SELECT 'k' || g, 'key ' || g FROM generate_series(1, 200) g;`,
    breakIt: `UPDATE "ApiKey" SET "name" = repeat('n', 120) WHERE "id" = 'k5';`,
  },
  {
    name: 'type change out of range',
    sqlstate: '22003',
    migration: `-- AlterTable\nALTER TABLE "Counter" ALTER COLUMN "hits" SET DATA TYPE INTEGER;\n`,
    setup: `CREATE TABLE "Counter" ("id" TEXT PRIMARY KEY, "hits" BIGINT); INSERT INTO "Counter" SELECT 'c' || g, g FROM generate_series(1, 200) g;`,
    breakIt: `UPDATE "Counter" SET "hits" = 3000000000 WHERE "id" = 'c1';`,
  },
  {
    name: 'enum value removed while rows use it (Prisma rebuild)',
    sqlstate: '22P02',
    migration: `/*
  Warnings:

  - The values [OWNER] on the enum \`Role\` will be removed. If these variants are still used in the database, this will fail.

*/
-- AlterEnum
BEGIN;
CREATE TYPE "Role_new" AS ENUM ('ADMIN', 'MEMBER');
ALTER TABLE "TeamMember" ALTER COLUMN "role" DROP DEFAULT;
ALTER TABLE "TeamMember" ALTER COLUMN "role" TYPE "Role_new" USING ("role"::text::"Role_new");
ALTER TYPE "Role" RENAME TO "Role_old";
ALTER TYPE "Role_new" RENAME TO "Role";
DROP TYPE "Role_old";
ALTER TABLE "TeamMember" ALTER COLUMN "role" SET DEFAULT 'MEMBER';
COMMIT;
`,
    setup: `CREATE TYPE "Role" AS ENUM ('OWNER', 'ADMIN', 'MEMBER');
      CREATE TABLE "TeamMember" ("id" TEXT PRIMARY KEY, "role" "Role" NOT NULL DEFAULT 'MEMBER');
      INSERT INTO "TeamMember" SELECT 'm' || g, CASE WHEN g % 2 = 0 THEN 'ADMIN' ELSE 'MEMBER' END::"Role" FROM generate_series(1, 300) g;`,
    breakIt: `UPDATE "TeamMember" SET "role" = 'OWNER' WHERE "id" = 'm10';`,
  },
  {
    name: 'the migration role does not own the table',
    sqlstate: '42501',
    migration: `-- AlterTable\nALTER TABLE "AuditLog" ADD COLUMN "ip" TEXT;\n`,
    setup: '',
    breakIt: '',
    admin: {
      setup: `CREATE TABLE "AuditLog" ("id" TEXT PRIMARY KEY, "action" TEXT); GRANT ALL ON "AuditLog" TO app;`,
      passing: `ALTER TABLE "AuditLog" OWNER TO app;`,
    },
  },
  {
    name: 'no CREATE on the schema',
    sqlstate: '42501',
    migration: `-- CreateTable\nCREATE TABLE "billing"."Ledger" (\n    "id" TEXT NOT NULL,\n    CONSTRAINT "Ledger_pkey" PRIMARY KEY ("id")\n);\n`,
    setup: '',
    breakIt: '',
    admin: { setup: `CREATE SCHEMA "billing"; GRANT USAGE ON SCHEMA "billing" TO app;`, passing: `GRANT CREATE ON SCHEMA "billing" TO app;` },
  },
  {
    name: 'CREATE EXTENSION that needs a superuser',
    sqlstate: '42501',
    migration: `-- CreateExtension\nCREATE EXTENSION IF NOT EXISTS "pg_stat_statements";\n`,
    setup: '',
    breakIt: '',
    // Installed by the provider (the passing twin): IF NOT EXISTS makes it a no-op.
    admin: { passing: `CREATE EXTENSION "pg_stat_statements";` },
  },
];

/** The prediction harness: one server for a test file, a database per case. */
export class PredictionHarness {
  private counter = 0;
  private constructor(readonly server: PostgresHandle) {}

  static async start(): Promise<PredictionHarness> {
    const server = await startPostgres({ tls: false });
    const admin = await server.adminClient();
    try {
      await admin.query(`CREATE ROLE app LOGIN NOSUPERUSER PASSWORD 'app-password'`);
    } finally {
      await admin.end();
    }
    return new PredictionHarness(server);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  url(database: string): string {
    return `postgresql://app:app-password@127.0.0.1:${this.server.port}/${database}?sslmode=disable`;
  }

  /** A database owned by the app role, with `_prisma_migrations` and the setup applied. */
  async database(setup: string, admin?: string): Promise<string> {
    const name = `predict_${process.pid}_${++this.counter}`;
    const root = await this.server.adminClient();
    try {
      // FILE_COPY: a disposable database is copied faster than it is WAL-logged.
      await root.query(`CREATE DATABASE ${name} OWNER app STRATEGY = FILE_COPY`);
    } finally {
      await root.end();
    }
    await this.asAdmin(name, admin);
    await this.asApp(name, `${PRISMA_MIGRATIONS_TABLE_SQL}; ${setup}`);
    return name;
  }

  async asAdmin(database: string, sql: string | undefined): Promise<void> {
    if (!sql) return;
    const c = await this.server.adminClient(database);
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  }

  async asApp(database: string, sql: string | undefined): Promise<void> {
    if (!sql) return;
    const c = await this.server.adminClient(database);
    try {
      await c.query(`SET ROLE app; ${sql}`);
    } finally {
      await c.end();
    }
  }

  /** A session of its own as the app role (a second session: the app, a report, another deploy). */
  async session(database: string, applicationName: string): Promise<pg.Client> {
    const { default: pgModule } = await import('pg');
    const c = new pgModule.Client({ host: '127.0.0.1', port: this.server.port, user: 'app', password: 'app-password', database, application_name: applicationName });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  }

  /** The prediction of `sql` as the pending migration, as the app role, read-only. */
  async predict(database: string, sql: string, options: { budgetMs?: number; migrateEnv?: Record<string, string> } = {}): Promise<Prediction> {
    const parser = await loadPgParser();
    const plan = planPendingSet(parser, [{ name: '20260101000000_pending', file: 'prisma/migrations/20260101000000_pending/migration.sql', sql }]);
    const db = await connectReadOnly(this.url(database), { timeoutMs: 10_000 });
    try {
      return await predict(parser, db, plan, { budgetMs: options.budgetMs ?? 30_000, migrateEnv: options.migrateEnv });
    } finally {
      await db.close();
    }
  }

  /**
   * `prisma migrate deploy` of `sql` as the app role, with the sandbox's stand-in of Prisma's logic:
   * resolves to the SQLSTATE it failed with (P3018's "Database error code"), or undefined.
   */
  async apply(database: string, sql: string, client?: pg.Client): Promise<{ sqlstate?: string; prisma?: string }> {
    // P3018 names the database's code; a file failing inside its own BEGIN … COMMIT ends with the
    // engine's "current transaction is aborted" instead (as real Prisma), its cause holding the code.
    const c = client ?? (await this.session(database, 'prisma-migrate'));
    try {
      await deploy(c, [{ name: '20260101000000_pending', script: sql }]);
      return {};
    } catch (error) {
      if (!(error instanceof PrismaError)) throw error;
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      return { prisma: error.code || 'engine error', sqlstate: /Database error code: (\w{5})/.exec(error.message)?.[1] ?? cause };
    } finally {
      if (!client) await c.end().catch(() => undefined);
    }
  }
}

/** The outcome that matters of a one-file prediction: the first statement that does not pass, else pass. */
export function verdictOf(p: Prediction): { outcome: string; sqlstate?: string; reason: string; rows?: number } {
  const s = p.statements.find((x) => x.outcome !== 'pass') ?? p.statements[0]!;
  return { outcome: s.outcome, sqlstate: s.sqlstate, reason: s.reason, rows: s.rows?.count };
}
