/**
 * The app model on the shapes apps of this stack are written in: an Auth.js v5 app on the app router
 * with pnpm, t3's env schema, bare providers, price ids and no Sentry; a NextAuth v4 pages-router app
 * with Yarn Berry, a zod env object, explicit clients, a webhook handler that delegates to a module
 * and a catalog synced into Product/Price; the guide's own app when the directory holds no Next.js
 * app; and the config file's overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readAppModel, installCommand, roleValue } from '../../../src/analysis/app/model.js';
import { matchRoute, readRoutes } from '../../../src/analysis/app/routes.js';
import { sourceFile } from '../../../src/analysis/app/sources.js';
import { variablesIn } from '../../../src/analysis/app/variables.js';
import { tempRepo } from '../../helpers.js';

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** An Auth.js v5 app: app router, route groups, pnpm, t3 env, no Sentry, price ids, no migration lock. */
const V5_APP: Record<string, string> = {
  'package.json': json({
    name: 'v5-app',
    scripts: { dev: 'next dev', build: 'next build', start: 'next start', postinstall: 'prisma generate' },
    dependencies: { next: '14.2.5', 'next-auth': '5.0.0-beta.25', '@auth/prisma-adapter': '^2.7.0', stripe: '^16.0.0', '@t3-oss/env-nextjs': '^0.11.0' },
    devDependencies: { prisma: '^5.22.0', typescript: '5.6.3' },
  }),
  'pnpm-lock.yaml': "lockfileVersion: '9.0'\n",
  'env.mjs': `import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

export const env = createEnv({
  server: {
    AUTH_SECRET: z.string().min(1),
    DATABASE_URL: z.string().url(),
    STRIPE_API_KEY: z.string().min(1),
    STRIPE_WEBHOOK_SECRET: z.string().min(1),
    RESEND_API_KEY: z.string().min(1),
  },
  client: {
    NEXT_PUBLIC_APP_URL: z.string().url(),
    NEXT_PUBLIC_STRIPE_PRO_MONTHLY_PLAN_ID: z.string(),
    NEXT_PUBLIC_STRIPE_PRO_YEARLY_PLAN_ID: z.string(),
  },
  experimental__runtimeEnv: {
    NEXT_PUBLIC_APP_URL: process.env.NEXT_PUBLIC_APP_URL,
    NEXT_PUBLIC_STRIPE_PRO_MONTHLY_PLAN_ID: process.env.NEXT_PUBLIC_STRIPE_PRO_MONTHLY_PLAN_ID,
    NEXT_PUBLIC_STRIPE_PRO_YEARLY_PLAN_ID: process.env.NEXT_PUBLIC_STRIPE_PRO_YEARLY_PLAN_ID,
  },
});
`,
  'auth.ts': `import NextAuth from "next-auth";
import GitHub from "next-auth/providers/github";
import Resend from "next-auth/providers/resend";

export const { handlers, auth, signIn, signOut } = NextAuth({
  providers: [GitHub, Resend({ from: "no-reply@example.com" })],
  pages: { signIn: "/login" },
  // debug: process.env.AUTH_DEBUG === "true",
});
`,
  'lib/stripe.ts': `import Stripe from "stripe";
import { env } from "@/env.mjs";

export const stripe = new Stripe(env.STRIPE_API_KEY, { apiVersion: "2024-06-20" });
`,
  'app/api/auth/[...nextauth]/route.ts': 'export { GET, POST } from "@/auth";\n',
  'app/api/webhooks/stripe/route.ts': `import { headers } from "next/headers";
import { env } from "@/env.mjs";
import { stripe } from "@/lib/stripe";

export async function POST(req: Request) {
  const body = await req.text();
  const signature = headers().get("Stripe-Signature") as string;
  let event;
  try {
    event = stripe.webhooks.constructEvent(body, signature, env.STRIPE_WEBHOOK_SECRET);
  } catch (error) {
    return new Response("Webhook Error", { status: 400 });
  }
  if (event.type === "checkout.session.completed") {
    // ...
  }
  // "customer.subscription.deleted" is not handled yet
  if (event.type === "invoice.payment_succeeded") {
    // ...
  }
  return new Response(null, { status: 200 });
}
`,
  'app/(auth)/login/page.tsx': 'export default function Login() { return null; }\n',
  'app/(auth)/register/page.tsx': 'export default function Register() { return null; }\n',
  'app/(marketing)/page.tsx': 'export default function Home() { return null; }\n',
  'app/(marketing)/pricing/page.tsx': 'export default function Pricing() { return null; }\n',
  'app/(marketing)/[slug]/page.tsx': 'export default function Page() { return null; }\n',
  'app/(protected)/dashboard/_components/chart.tsx': 'export const Chart = () => null;\n',
  'app/(protected)/dashboard/page.tsx': 'export default function Dashboard() { return null; }\n',
  'app/(docs)/docs/[[...slug]]/page.tsx': 'export default function Docs() { return null; }\n',
  'app/@modal/(.)photo/page.tsx': 'export default function Photo() { return null; }\n',
  'app/layout.tsx': 'export default function Root({ children }: { children: unknown }) { return children; }\n',
  'prisma/schema.prisma': `datasource db {
  provider = "postgresql"
  url      = env("DATABASE_URL")
}

model User {
  id    String @id @default(cuid())
  email String @unique
}
`,
  'prisma/migrations/0_init/migration.sql': 'CREATE TABLE "User" ("id" TEXT NOT NULL, "email" TEXT NOT NULL, CONSTRAINT "User_pkey" PRIMARY KEY ("id"));\n',
};

/** A NextAuth v4 app: pages router, Yarn Berry, a zod env object, explicit clients, a synced catalog. */
const V4_APP: Record<string, string> = {
  'package.json': json({
    name: 'v4-app',
    packageManager: 'yarn@4.5.0',
    scripts: { build: 'prisma generate && next build', 'build-ci': 'next build', start: 'next start' },
    dependencies: { next: '13.5.6', 'next-auth': '^4.24.5', stripe: '^14.0.0', '@sentry/nextjs': '^8.0.0' },
  }),
  'yarn.lock': '# This file is generated by running "yarn install" inside your project.\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n',
  'lib/env.ts': `import { z } from 'zod';

const schema = z.object({
  BASE_URL: z.string().url(),
  SECRET: z.string().min(32),
  GITHUB_ID: z.string(),
  GITHUB_SECRET: z.string(),
  STRIPE_SECRET: z.string(),
  STRIPE_SIGNING_SECRET: z.string(),
  POSTGRES_PRISMA_URL: z.string(),
});

export const env = schema.parse(process.env);
`,
  'pages/api/auth/[...nextauth].ts': `import NextAuth, { type NextAuthOptions } from 'next-auth';
import GithubProvider from 'next-auth/providers/github';
import { env } from '../../../lib/env';

export const authOptions: NextAuthOptions = {
  secret: env.SECRET,
  providers: [GithubProvider({ clientId: env.GITHUB_ID, clientSecret: env.GITHUB_SECRET })],
};
export default NextAuth(authOptions);
`,
  'pages/api/stripe/events.ts': `import Stripe from 'stripe';
import { env } from '../../../lib/env';
import { onEvent } from '../../../lib/billing/handle';

const stripe = new Stripe(env.STRIPE_SECRET);

export default async function handler(req: any, res: any) {
  const event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], env.STRIPE_SIGNING_SECRET);
  await onEvent(event);
  res.json({ received: true });
}
`,
  'lib/billing/handle.ts': `export async function onEvent(event: { type: string }) {
  switch (event.type) {
    case 'product.created':
    case 'product.updated':
    case 'price.created':
      break;
    case 'customer.subscription.updated':
      break;
  }
}
`,
  'pages/api/healthz.ts': 'export default function handler(req: any, res: any) { res.json({ ok: true }); }\n',
  'pages/api/signup.ts': 'export default function handler(req: any, res: any) { res.status(400).end(); }\n',
  'pages/index.tsx': 'export default function Home() { return null; }\n',
  'pages/_app.tsx': 'export default function App() { return null; }\n',
  'pages/signin.tsx': 'export default function SignIn() { return null; }\n',
  'prisma/schema.prisma': `datasource db {
  provider  = "postgresql"
  url       = env("POSTGRES_PRISMA_URL") // pooled
  directUrl = env("POSTGRES_URL_NON_POOLING")
}

model Product {
  id     String  @id
  active Boolean
  name   String  @map("product_name")
  prices Price[]

  @@map("products")
}

model Price {
  id        String  @id
  productId String  @map("product_id")
  product   Product @relation(fields: [productId], references: [id])

  @@map(name: "prices")
}
`,
  'prisma/migrations/migration_lock.toml': '# Please do not edit this file manually\nprovider = "postgresql"\n',
};

async function modelOf(files: Record<string, string>, overrides = {}) {
  const repo = tempRepo(files);
  try {
    return await readAppModel(repo.dir, overrides);
  } finally {
    repo.cleanup();
  }
}

test('Auth.js v5 on the app router with pnpm: its own names, routes, events and price ids', async () => {
  const m = await modelOf(V5_APP);
  assert.equal(m.found, true);
  assert.equal(m.auth.family, 'authjs-v5');
  assert.deepEqual(m.install, { command: 'pnpm install --frozen-lockfile', why: 'the pnpm lockfile (pnpm-lock.yaml)' });
  assert.equal(m.build.command, 'pnpm run build');
  const roles = m.variables.roles;
  assert.equal(roles.appUrl?.name, 'NEXT_PUBLIC_APP_URL');
  assert.deepEqual([roles.authUrl?.name, roles.authUrl?.aliases], ['AUTH_URL', ['NEXTAUTH_URL']]);
  assert.deepEqual([roles.authSecret?.name, roles.authSecret?.aliases], ['AUTH_SECRET', ['NEXTAUTH_SECRET']]);
  assert.deepEqual([roles.stripeSecretKey?.name, roles.stripeSecretKey?.how], ['STRIPE_API_KEY', 'code']);
  assert.deepEqual([roles.stripeWebhookSecret?.name, roles.stripeWebhookSecret?.how], ['STRIPE_WEBHOOK_SECRET', 'code']);
  assert.equal(roles.stripeSyncSecret, undefined);
  // The commented-out debug line does not count.
  assert.equal(roles.authDebug, undefined);
  // A bare `GitHub` provider: Auth.js reads AUTH_GITHUB_ID / AUTH_GITHUB_SECRET itself.
  assert.deepEqual(m.auth.oauth.map((p) => [p.id, p.clientId?.name, p.clientSecret?.name]), [['github', 'AUTH_GITHUB_ID', 'AUTH_GITHUB_SECRET']]);
  assert.ok(m.variables.secrets.includes('RESEND_API_KEY') && m.variables.secrets.includes('AUTH_GITHUB_SECRET'));
  assert.ok(!m.variables.secrets.includes('NEXT_PUBLIC_STRIPE_PRO_MONTHLY_PLAN_ID'));
  assert.deepEqual(m.variables.flags, []);
  // Route groups add no segment; private folders, slots and intercepting routes are no routes.
  assert.deepEqual(m.paths, { health: undefined, login: '/login', register: '/register', registerApi: undefined, pricing: '/pricing', stripeWebhook: '/api/webhooks/stripe', stripeSync: undefined, authBase: '/api/auth', pages: [] });
  assert.deepEqual(m.routes.list.map((r) => r.path).sort(), ['/', '/[slug]', '/api/auth/[...nextauth]', '/api/webhooks/stripe', '/dashboard', '/docs/[[...slug]]', '/login', '/pricing', '/register']);
  // The string in the comment is not an event the handler acts on.
  assert.deepEqual(m.stripe.events, ['checkout.session.completed', 'invoice.payment_succeeded']);
  assert.deepEqual(m.stripe.plans, { source: 'price-ids', priceIdVariables: ['NEXT_PUBLIC_STRIPE_PRO_MONTHLY_PLAN_ID', 'NEXT_PUBLIC_STRIPE_PRO_YEARLY_PLAN_ID'], catalog: undefined });
  assert.equal(m.sentry.present, false);
  assert.equal(m.prisma?.provider, 'postgresql');
  assert.equal(m.prisma?.lock, undefined);
  // What the catch-all answers is not the app's own route.
  assert.equal(matchRoute(m.routes.list, '/api/auth/join', 'api')?.file, 'app/api/auth/[...nextauth]/route.ts');
  assert.equal(matchRoute(m.routes.list, '/pricing', 'page')?.file, 'app/(marketing)/pricing/page.tsx');
  assert.equal(matchRoute(m.routes.list, '/about', 'page')?.file, 'app/(marketing)/[slug]/page.tsx');
  assert.equal(matchRoute(m.routes.list, '/docs', 'page')?.file, 'app/(docs)/docs/[[...slug]]/page.tsx');
});

test('NextAuth v4 on the pages router with Yarn Berry: names from the code, a delegated handler, a synced catalog', async () => {
  const m = await modelOf(V4_APP);
  assert.equal(m.auth.family, 'next-auth-v4');
  assert.deepEqual([m.packageManager.name, m.packageManager.source, m.packageManager.yarnBerry], ['yarn', 'packageManager', true]);
  assert.equal(m.install.command, 'yarn install --immutable');
  assert.deepEqual([m.build.script, m.build.command], ['build-ci', 'yarn run build-ci']);
  const roles = m.variables.roles;
  assert.equal(roles.appUrl?.name, 'BASE_URL');
  assert.deepEqual([roles.authSecret?.name, roles.authSecret?.how], ['SECRET', 'code']);
  assert.deepEqual([roles.databaseUrl?.name, roles.databaseUrl?.how], ['POSTGRES_PRISMA_URL', 'code']);
  assert.deepEqual([roles.stripeSecretKey?.name, roles.stripeWebhookSecret?.name], ['STRIPE_SECRET', 'STRIPE_SIGNING_SECRET']);
  assert.deepEqual(m.auth.oauth.map((p) => [p.id, p.clientId?.name, p.clientSecret?.name, p.clientId?.how]), [['github', 'GITHUB_ID', 'GITHUB_SECRET', 'code']]);
  assert.deepEqual(m.paths, { health: '/api/healthz', login: '/signin', register: undefined, registerApi: '/api/signup', pricing: undefined, stripeWebhook: '/api/stripe/events', stripeSync: undefined, authBase: '/api/auth', pages: [] });
  // Events from the module the handler delegates to.
  assert.deepEqual(m.stripe.events, ['product.created', 'product.updated', 'price.created', 'customer.subscription.updated']);
  assert.deepEqual(m.stripe.plans.source, 'database');
  assert.deepEqual(m.stripe.plans.catalog, { products: { table: 'products', model: 'Product', nameColumn: 'product_name' }, prices: { table: 'prices', model: 'Price' } });
  assert.deepEqual([m.sentry.present, m.sentry.why], [true, 'package.json depends on @sentry/nextjs']);
  assert.deepEqual(m.prisma?.lock, { file: 'prisma/migrations/migration_lock.toml', provider: 'postgresql', line: 2 });
  assert.ok(m.variables.secrets.includes('SECRET') && m.variables.secrets.includes('GITHUB_SECRET'));
  assert.deepEqual(roleValue(m, 'databaseUrl', { POSTGRES_PRISMA_URL: 'postgresql://x' }), { name: 'POSTGRES_PRISMA_URL', value: 'postgresql://x' });
});

test("a directory with no Next.js app: the guide's app, its names and routes", async () => {
  const m = await modelOf({ 'README.md': '# not an app\n' });
  assert.equal(m.found, false);
  assert.deepEqual(m.install, { command: 'npm ci', why: "the guide's install (no package.json to read)" });
  assert.equal(m.build.command, 'npm run build-ci');
  assert.equal(m.variables.roles.appUrl?.name, 'APP_URL');
  assert.equal(m.variables.roles.authSecret?.name, 'NEXTAUTH_SECRET');
  assert.equal(m.paths.registerApi, '/api/auth/join');
  assert.equal(m.stripe.events.length, 11);
  assert.equal(m.stripe.plans.catalog?.products.table, 'Service');
});

test('the config file names what the model reads wrong or not at all', async () => {
  const m = await modelOf(V5_APP, {
    'package-manager': 'npm',
    'build-script': 'build',
    variables: { 'app-url': 'SITE_ORIGIN', 'github-client-id': 'GH_ID' },
    'webhook-events': ['checkout.session.completed', 'customer.subscription.deleted'],
    sentry: true,
    paths: { health: '/api/status', login: false, register: '/join' },
  });
  assert.equal(m.install.command, 'npm ci');
  assert.equal(m.variables.roles.appUrl?.name, 'SITE_ORIGIN');
  assert.equal(m.auth.oauth[0]?.clientId?.name, 'GH_ID');
  assert.deepEqual([m.stripe.events, m.stripe.eventsSource], [['checkout.session.completed', 'customer.subscription.deleted'], 'config']);
  assert.equal(m.sentry.present, true);
  // `register` given alone: its API is the page's path under /api, as in the guide's app.
  assert.deepEqual([m.paths.health, m.paths.login, m.paths.register, m.paths.registerApi], ['/api/status', undefined, '/join', '/api/join']);
  assert.deepEqual([m.pathSources.health, m.pathSources.login, m.pathSources.pricing], ['config', 'config', 'app']);
});

test('install commands: each lockfile its own frozen install', () => {
  assert.equal(installCommand({ name: 'npm', lockfile: 'package-lock.json', source: 'app' }).command, 'npm ci');
  assert.equal(installCommand({ name: 'yarn', lockfile: 'yarn.lock', yarnBerry: false, source: 'app' }).command, 'yarn install --frozen-lockfile');
  assert.equal(installCommand({ name: 'bun', lockfile: 'bun.lock', source: 'app' }).command, 'bun install --frozen-lockfile');
});

test('variables: code only (comments do not count), destructuring, bracket access, env schemas', () => {
  const file = sourceFile('lib/config.ts', `// process.env.OLD_KEY is gone
/* const x = process.env.ALSO_GONE */
const { STRIPE_KEY, APP_ORIGIN: origin } = process.env;
const region = process.env['AWS_REGION'];
const url = "https://example.com//process.env.NOT_CODE";
export const limits = z.object({ RATE_LIMIT: z.coerce.number() }).parse(process.env);
`);
  assert.deepEqual([...variablesIn(file).keys()].sort(), ['APP_ORIGIN', 'AWS_REGION', 'RATE_LIMIT', 'STRIPE_KEY']);
});

test('pages router: special files are no routes; index is its folder; api routes are API', async () => {
  const repo = tempRepo({
    'src/pages/_document.tsx': 'x',
    'src/pages/404.tsx': 'x',
    'src/pages/index.tsx': 'x',
    'src/pages/blog/index.tsx': 'x',
    'src/pages/blog/[slug].tsx': 'x',
    'src/pages/api/teams/[id]/members.ts': 'x',
  });
  try {
    const { routes } = await readRoutes(repo.dir);
    assert.deepEqual(routes.map((r) => `${r.kind} ${r.path}`).sort(), ['api /api/teams/[id]/members', 'page /', 'page /blog', 'page /blog/[slug]']);
    // Static before dynamic: /blog is its own page, /blog/x the dynamic one.
    assert.equal(matchRoute(routes, '/blog')?.path, '/blog');
    assert.equal(matchRoute(routes, '/blog/hello')?.path, '/blog/[slug]');
    assert.equal(matchRoute(routes, '/nothing'), undefined);
  } finally {
    repo.cleanup();
  }
});
