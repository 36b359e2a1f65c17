/**
 * Migrations and schema edits that only scenarios use (the release's own are in ./schema.ts), written
 * as `prisma migrate dev` generates them, warnings included. A scenario puts one in the repository
 * (`fixtureFiles`), in the database's history (`database.deploy`), or both.
 */
import { MIGRATIONS, PRISMA_SCHEMA, type Migration } from './schema.js';

export const migrationFile = (m: Migration) => `prisma/migrations/${m.name}/migration.sql`;

/** The release's migrations and these extra ones, as fixture files. */
export function migrationFiles(...migrations: Migration[]): Record<string, string> {
  return Object.fromEntries(migrations.map((m) => [migrationFile(m), m.sql]));
}

/**
 * PRISMA_SCHEMA with exact-text replacements; throws when a searched text is missing, so a schema
 * change in ./schema.ts cannot silently turn a scenario into a no-op.
 */
export function editedSchema(...replacements: [search: string, replace: string][]): string {
  let schema = PRISMA_SCHEMA;
  for (const [search, replace] of replacements) {
    if (!schema.includes(search)) throw new Error(`PRISMA_SCHEMA has no ${JSON.stringify(search)}`);
    schema = schema.replace(search, replace);
  }
  return schema;
}

/**
 * A required column without a default on `"Service"`: it fails on a table with rows (the synced
 * Stripe catalog), `column "slug" of relation "Service" contains null values` (23502).
 */
export const SERVICE_SLUG: Migration = {
  name: '20240923091500_service_slug',
  sql: `/*
  Warnings:

  - Added the required column \`slug\` to the \`Service\` table without a default value. This is not possible if the table is not empty.
  - A unique constraint covering the columns \`[slug]\` on the table \`Service\` will be added. If there are existing duplicate values, this will fail.

*/
-- AlterTable
ALTER TABLE "Service" ADD COLUMN     "slug" TEXT NOT NULL;

-- CreateIndex
CREATE UNIQUE INDEX "Service_slug_key" ON "Service"("slug");
`,
};

export const SERVICE_SLUG_SCHEMA = editedSchema([
  '  description String\n  features    String[]',
  '  slug        String   @unique\n  description String\n  features    String[]',
]);

/** An index deployed from a hotfix branch that was never merged: applied, absent from the repository. */
export const WEBHOOK_EVENT_HOTFIX: Migration = {
  name: '20240919160500_webhook_event_created_at_index',
  sql: `-- CreateIndex
CREATE INDEX "WebhookEvent_createdAt_idx" ON "WebhookEvent"("createdAt");
`,
};

/** Drops a column, narrows a column's type and indexes a live table without CONCURRENTLY. */
export const TEAM_CLEANUP: Migration = {
  name: '20240925143000_team_cleanup',
  sql: `/*
  Warnings:

  - You are about to drop the column \`billingProvider\` on the \`Team\` table. All the data in the column will be lost.
  - You are about to alter the column \`name\` on the \`ApiKey\` table. The data in that column could be lost. The data in that column will be cast from \`Text\` to \`VarChar(100)\`.

*/
-- AlterTable
ALTER TABLE "ApiKey" ALTER COLUMN "name" SET DATA TYPE VARCHAR(100);

-- AlterTable
ALTER TABLE "Team" DROP COLUMN "billingProvider";

-- CreateIndex
CREATE INDEX "Subscription_priceId_idx" ON "Subscription"("priceId");
`,
};

export const TEAM_CLEANUP_SCHEMA = editedSchema(
  ['  billingId       String?\n  billingProvider String?\n', '  billingId       String?\n'],
  ['model ApiKey {\n  id         String    @id @default(uuid())\n  name       String\n', 'model ApiKey {\n  id         String    @id @default(uuid())\n  name       String    @db.VarChar(100)\n'],
  ['  cancelAt   DateTime?\n  createdAt  DateTime  @default(now())\n  updatedAt  DateTime  @default(now())\n\n  @@index([customerId])\n', '  cancelAt   DateTime?\n  createdAt  DateTime  @default(now())\n  updatedAt  DateTime  @default(now())\n\n  @@index([customerId])\n  @@index([priceId])\n'],
);

/** The release's last migration, applied as it was, then edited in the repository. */
const RELEASE_MIGRATION = MIGRATIONS[MIGRATIONS.length - 1]!;
export const DRIFTED_MIGRATION: Migration = {
  name: RELEASE_MIGRATION.name,
  sql: `${RELEASE_MIGRATION.sql}
-- CreateIndex
CREATE INDEX "Invoice_subscriptionId_idx" ON "Invoice"("subscriptionId");
`,
};

export const DRIFTED_SCHEMA = editedSchema([
  '  updatedAt        DateTime @default(now())\n\n  @@index([customerId])\n}\n\nmodel WebhookEvent',
  '  updatedAt        DateTime @default(now())\n\n  @@index([customerId])\n  @@index([subscriptionId])\n}\n\nmodel WebhookEvent',
]);

/** Team.billingId becomes `@unique`: Prisma's CREATE UNIQUE INDEX, with its warning header. */
export const TEAM_BILLING_UNIQUE: Migration = {
  name: '20240926100000_team_billing_unique',
  sql: `/*
  Warnings:

  - A unique constraint covering the columns \`[billingId]\` on the table \`Team\` will be added. If there are existing duplicate values, this will fail.

*/
-- CreateIndex
CREATE UNIQUE INDEX "Team_billingId_key" ON "Team"("billingId");
`,
};

export const TEAM_BILLING_UNIQUE_SCHEMA = editedSchema(['  billingId       String?\n', '  billingId       String?  @unique\n']);

/** An optional column on "Subscription": nothing the lint flags (a brief ACCESS EXCLUSIVE lock). */
export const SUBSCRIPTION_SEATS: Migration = {
  name: '20240926110000_subscription_seats',
  sql: `-- AlterTable
ALTER TABLE "Subscription" ADD COLUMN     "seats" INTEGER;
`,
};

export const SUBSCRIPTION_SEATS_SCHEMA = editedSchema(['  cancelAt   DateTime?\n', '  cancelAt   DateTime?\n  seats      Int?\n']);
