/**
 * The app's Stripe catalog sync (what `POST /api/admin/stripe/sync` runs): active products become
 * `"Service"` rows and the active prices of those products `"Price"` rows, upserted in one
 * transaction. The sandbox also runs it at start-up, standing in for the `npm run sync-stripe` that
 * followed the last deploy, so the good scenario starts with a synced catalog.
 */
import type Stripe from 'stripe';
import type pg from 'pg';

export interface SyncResult {
  products: number;
  prices: number;
}

export async function syncStripeCatalog(stripe: Stripe, db: pg.Pool): Promise<SyncResult> {
  const products: Stripe.Product[] = [];
  for await (const product of stripe.products.list({ active: true, limit: 100 })) products.push(product);
  const productIds = new Set(products.map((p) => p.id));
  const prices: Stripe.Price[] = [];
  for await (const price of stripe.prices.list({ active: true, limit: 100 })) {
    // An active price of an archived product is not sellable (and would break the foreign key).
    if (productIds.has(productIdOf(price))) prices.push(price);
  }

  const client = await db.connect();
  try {
    await client.query('BEGIN');
    for (const p of products) {
      await client.query(
        `INSERT INTO "Service" ("id", "description", "features", "image", "name", "metadata", "created")
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT ("id") DO UPDATE SET
           "description" = EXCLUDED."description", "features" = EXCLUDED."features", "image" = EXCLUDED."image",
           "name" = EXCLUDED."name", "metadata" = EXCLUDED."metadata", "updatedAt" = CURRENT_TIMESTAMP`,
        [
          p.id,
          p.description ?? '',
          (p.marketing_features ?? []).map((f) => f.name ?? '').filter(Boolean),
          p.images[0] ?? '',
          p.name,
          JSON.stringify(p.metadata ?? {}),
          new Date(p.created * 1000),
        ],
      );
    }
    for (const price of prices) {
      await client.query(
        `INSERT INTO "Price" ("id", "billingScheme", "currency", "serviceId", "amount", "metadata", "type", "created")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT ("id") DO UPDATE SET
           "billingScheme" = EXCLUDED."billingScheme", "currency" = EXCLUDED."currency", "serviceId" = EXCLUDED."serviceId",
           "amount" = EXCLUDED."amount", "metadata" = EXCLUDED."metadata", "type" = EXCLUDED."type"`,
        [
          price.id,
          price.billing_scheme,
          price.currency,
          productIdOf(price),
          // The app stores whole currency units (the starter kit's `unit_amount / 100`).
          price.unit_amount === null ? null : Math.round(price.unit_amount / 100),
          // …and the recurring terms as the price's metadata, as the starter kit does.
          JSON.stringify(price.recurring ?? {}),
          price.type,
          new Date(price.created * 1000),
        ],
      );
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
  return { products: products.length, prices: prices.length };
}

function productIdOf(price: Stripe.Price): string {
  return typeof price.product === 'string' ? price.product : price.product.id;
}
