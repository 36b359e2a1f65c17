/**
 * The `authjs-pnpm` flavour's source in the fixture repository (./flavours.ts): an Auth.js v5 app on
 * the app router, installed with pnpm (its package.json and the pnpm-lock.yaml pnpm 9 wrote for it,
 * in ./flavours/authjs-pnpm/), with t3's env schema, a bare GitHub provider, a webhook handler that
 * acts on two events, plans as price ids, and no Sentry. The running app is ./app.ts with this
 * flavour; these files are what the gate reads.
 */
import { readFileSync } from 'node:fs';

const dir = new URL('./flavours/authjs-pnpm/', import.meta.url);

/** package.json and pnpm-lock.yaml, as pnpm wrote them. */
export const V5_PACKAGE_JSON = readFileSync(new URL('package.json', dir), 'utf8');
export const V5_PNPM_LOCK = readFileSync(new URL('pnpm-lock.yaml', dir), 'utf8');

/** The guide's app files the v5 app does not have. */
export const V5_REMOVED = [
  'package-lock.json',
  'pages/_app.tsx',
  'pages/index.tsx',
  'pages/pricing.tsx',
  'pages/auth/login.tsx',
  'pages/auth/join.tsx',
  'pages/api/health.ts',
  'pages/api/auth/[...nextauth].ts',
  'pages/api/auth/join.ts',
  'pages/api/webhooks/stripe.ts',
  'pages/api/admin/stripe/sync.ts',
  'lib/auth.ts',
  'lib/env.ts',
  'sentry.client.config.ts',
  'sentry.server.config.ts',
  'sync-stripe.js',
];

export const V5_APP_FILES: Readonly<Record<string, string>> = {
  'env.mjs': `import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

export const env = createEnv({
  server: {
    AUTH_SECRET: z.string().min(1),
    DATABASE_URL: z.string().url(),
    STRIPE_API_KEY: z.string().min(1),
    STRIPE_WEBHOOK_SECRET: z.string().min(1),
  },
  client: {
    NEXT_PUBLIC_APP_URL: z.string().url(),
    NEXT_PUBLIC_STRIPE_TEAM_MONTHLY_PLAN_ID: z.string().min(1),
    NEXT_PUBLIC_STRIPE_ENTERPRISE_MONTHLY_PLAN_ID: z.string().min(1),
  },
  runtimeEnv: {
    AUTH_SECRET: process.env.AUTH_SECRET,
    DATABASE_URL: process.env.DATABASE_URL,
    STRIPE_API_KEY: process.env.STRIPE_API_KEY,
    STRIPE_WEBHOOK_SECRET: process.env.STRIPE_WEBHOOK_SECRET,
    NEXT_PUBLIC_APP_URL: process.env.NEXT_PUBLIC_APP_URL,
    NEXT_PUBLIC_STRIPE_TEAM_MONTHLY_PLAN_ID: process.env.NEXT_PUBLIC_STRIPE_TEAM_MONTHLY_PLAN_ID,
    NEXT_PUBLIC_STRIPE_ENTERPRISE_MONTHLY_PLAN_ID: process.env.NEXT_PUBLIC_STRIPE_ENTERPRISE_MONTHLY_PLAN_ID,
  },
});
`,
  'auth.ts': `import NextAuth from "next-auth";
import GitHub from "next-auth/providers/github";
import { PrismaAdapter } from "@auth/prisma-adapter";
import { prisma } from "@/lib/db";

export const { handlers, auth, signIn, signOut } = NextAuth({
  adapter: PrismaAdapter(prisma),
  session: { strategy: "jwt" },
  pages: { signIn: "/login" },
  providers: [GitHub],
});
`,
  'lib/db.ts': `import { PrismaClient } from "@prisma/client";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
export const prisma = globalForPrisma.prisma ?? new PrismaClient();
if (process.env.NODE_ENV !== "production") globalForPrisma.prisma = prisma;
`,
  'lib/stripe.ts': `import Stripe from "stripe";
import { env } from "@/env.mjs";

export const stripe = new Stripe(env.STRIPE_API_KEY, { apiVersion: "2024-06-20", typescript: true });
`,
  'config/subscriptions.ts': `import { env } from "@/env.mjs";

export const pricingData = [
  { title: "Team", monthly: 29, stripeIds: { monthly: env.NEXT_PUBLIC_STRIPE_TEAM_MONTHLY_PLAN_ID } },
  { title: "Enterprise", monthly: 99, stripeIds: { monthly: env.NEXT_PUBLIC_STRIPE_ENTERPRISE_MONTHLY_PLAN_ID } },
];
`,
  'middleware.ts': `export { auth as middleware } from "@/auth";

export const config = { matcher: ["/dashboard/:path*"] };
`,
  'next.config.js': `/** @type {import('next').NextConfig} */
const securityHeaders = [
  { key: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains;" },
  { key: "X-Frame-Options", value: "SAMEORIGIN" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
];

module.exports = {
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};
`,
  'app/layout.tsx': `export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body>{children}</body>
    </html>
  );
}
`,
  'app/(marketing)/page.tsx': `export default function Home() {
  return <h1>Acme SaaS</h1>;
}
`,
  'app/(marketing)/pricing/page.tsx': `import { pricingData } from "@/config/subscriptions";

export default function Pricing() {
  return (
    <main>
      <h1>Pricing</h1>
      {pricingData.map((plan) => (
        <section key={plan.title}>
          <h2>{plan.title}</h2>
          <p>\${plan.monthly} / month</p>
        </section>
      ))}
    </main>
  );
}
`,
  'app/(auth)/login/page.tsx': `export default function Login() {
  return <h1>Welcome back</h1>;
}
`,
  'app/(auth)/register/page.tsx': `export default function Register() {
  return <h1>Create an account</h1>;
}
`,
  'app/(protected)/dashboard/page.tsx': `export default function Dashboard() {
  return <h1>Dashboard</h1>;
}
`,
  'app/api/auth/[...nextauth]/route.ts': `import { handlers } from "@/auth";

export const { GET, POST } = handlers;
`,
  'app/api/health/route.ts': `import { prisma } from "@/lib/db";

export async function GET() {
  try {
    await prisma.$queryRaw\`SELECT 1\`;
    return Response.json({ version: "1.6.0" });
  } catch {
    return Response.json({}, { status: 503 });
  }
}
`,
  'app/api/webhooks/stripe/route.ts': `import { headers } from "next/headers";
import type Stripe from "stripe";
import { env } from "@/env.mjs";
import { prisma } from "@/lib/db";
import { stripe } from "@/lib/stripe";

export async function POST(req: Request) {
  const body = await req.text();
  const signature = headers().get("Stripe-Signature") as string;
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(body, signature, env.STRIPE_WEBHOOK_SECRET);
  } catch (error) {
    return new Response(\`Webhook Error: \${(error as Error).message}\`, { status: 400 });
  }
  if (event.type === "checkout.session.completed") {
    const session = event.data.object as Stripe.Checkout.Session;
    await prisma.webhookEvent.create({ data: { id: event.id, type: event.type, payload: JSON.stringify(session) } });
  }
  if (event.type === "invoice.payment_succeeded") {
    const invoice = event.data.object as Stripe.Invoice;
    await prisma.webhookEvent.create({ data: { id: event.id, type: event.type, payload: JSON.stringify(invoice) } });
  }
  return new Response(null, { status: 200 });
}
`,
  '.env.example': `NEXT_PUBLIC_APP_URL=http://localhost:3000
AUTH_URL=http://localhost:3000
AUTH_SECRET=

AUTH_GITHUB_ID=
AUTH_GITHUB_SECRET=

DATABASE_URL=postgresql://user:password@localhost:5432/acme

STRIPE_API_KEY=
STRIPE_WEBHOOK_SECRET=
NEXT_PUBLIC_STRIPE_TEAM_MONTHLY_PLAN_ID=
NEXT_PUBLIC_STRIPE_ENTERPRISE_MONTHLY_PLAN_ID=
`,
};

/** The v5 app's deploy workflow: pnpm, its build script, migrations with migrate deploy. */
export const V5_DEPLOY_WORKFLOW = `name: Deploy

on:
  push:
    branches: [main]

permissions:
  contents: read

jobs:
  deploy:
    runs-on: ubuntu-latest
    environment: production
    env:
      DATABASE_URL: \${{ secrets.DATABASE_URL }}
    steps:
      - uses: actions/checkout@v4
      - uses: pnpm/action-setup@v4
      - uses: actions/setup-node@v4
        with:
          node-version: 20
          cache: pnpm
      - run: pnpm install --frozen-lockfile
      - run: pnpm exec prisma migrate deploy
      - run: pnpm run build
      - run: npx vercel deploy --prod --yes --token "$VERCEL_TOKEN"
        env:
          VERCEL_TOKEN: \${{ secrets.VERCEL_TOKEN }}
`;
