/**
 * The app's source in the fixture repository: a few pages of the pages router and the TypeScript
 * config, enough for `next build` (the offline stand-in in ./vendor/next) to compile, type-check and
 * list routes like a real build. The running app is ./app.ts; these files are what the gate builds.
 */

/** Next's default tsconfig for the pages router (vendor/ holds the offline CLI stand-ins). */
export const TSCONFIG = `${JSON.stringify(
  {
    compilerOptions: {
      target: 'ES2017',
      lib: ['dom', 'dom.iterable', 'esnext'],
      allowJs: true,
      skipLibCheck: true,
      strict: true,
      noEmit: true,
      esModuleInterop: true,
      module: 'esnext',
      moduleResolution: 'bundler',
      resolveJsonModule: true,
      isolatedModules: true,
      jsx: 'preserve',
      incremental: true,
      paths: { '@/*': ['./*'] },
    },
    include: ['next-env.d.ts', '**/*.ts', '**/*.tsx'],
    exclude: ['node_modules', 'vendor'],
  },
  null,
  2,
)}\n`;

export const PRICING_PAGE = `import type { GetServerSideProps } from 'next';
import Head from 'next/head';
import { prisma } from '@/lib/prisma';

interface Plan {
  id: string;
  name: string;
  description: string;
  tier: 'free' | 'business';
  prices: { id: string; amount: number | null; currency: string }[];
}

export function formatAmount(amount: number | null, currency: string): string {
  if (amount === null) return 'Contact us';
  return new Intl.NumberFormat('en-US', { style: 'currency', currency }).format(amount / 100);
}

export default function Pricing({ plans }: { plans: Plan[] }) {
  return (
    <>
      <Head>
        <title>Pricing</title>
      </Head>
      <h1>Pricing</h1>
      <ul>
        {plans.map((plan) => (
          <li key={plan.id}>
            <h2>{plan.name}</h2>
            <p>{plan.description}</p>
            {plan.prices.map((price) => (
              <span key={price.id}>{formatAmount(price.amount, price.currency)}</span>
            ))}
          </li>
        ))}
      </ul>
    </>
  );
}

export const getServerSideProps: GetServerSideProps = async () => {
  const services = await prisma.service.findMany({ include: { Price: true } });
  const plans: Plan[] = services
    .filter((s: { metadata: { tier?: string } }) => s.metadata.tier === 'free' || s.metadata.tier === 'business')
    .map((s: { id: string; name: string; description: string; metadata: { tier: 'free' | 'business' }; Price: { id: string; amount: number | null; currency: string }[] }) => ({
      id: s.id,
      name: s.name,
      description: s.description,
      tier: s.metadata.tier,
      prices: s.Price.map((p) => ({ id: p.id, amount: p.amount, currency: p.currency })),
    }));
  return { props: { plans } };
};
`;

export const APP_FILES: Readonly<Record<string, string>> = {
  'tsconfig.json': TSCONFIG,
  'next-env.d.ts': `/// <reference types="next" />
/// <reference types="next/image-types/global" />

// NOTE: This file should not be edited
// see https://nextjs.org/docs/pages/api-reference/config/typescript for more information.
`,
  'lib/prisma.ts': `import { PrismaClient } from '@prisma/client';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export const prisma = globalForPrisma.prisma ?? new PrismaClient();

if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;
`,
  'pages/_app.tsx': `import type { AppProps } from 'next/app';
import { SessionProvider } from 'next-auth/react';

export default function App({ Component, pageProps: { session, ...pageProps } }: AppProps) {
  return (
    <SessionProvider session={session}>
      <Component {...pageProps} />
    </SessionProvider>
  );
}
`,
  'pages/index.tsx': `import Link from 'next/link';

export default function Home() {
  return (
    <main>
      <h1>Acme SaaS</h1>
      <Link href="/pricing">Pricing</Link> · <Link href="/auth/login">Sign in</Link>
    </main>
  );
}
`,
  'pages/pricing.tsx': PRICING_PAGE,
  'pages/auth/login.tsx': `import { signIn } from 'next-auth/react';

export default function Login() {
  return (
    <main>
      <h1>Sign in</h1>
      <button onClick={() => signIn('github')}>Continue with GitHub</button>
    </main>
  );
}
`,
  'pages/auth/join.tsx': `export default function Join() {
  return (
    <main>
      <h1>Create your account</h1>
      <form method="post" action="/api/auth/join" />
    </main>
  );
}
`,
  'pages/api/health.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { prisma } from '@/lib/prisma';
import packageInfo from '../../package.json';

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'GET') return res.status(405).json({ error: 'Method not allowed' });
  try {
    await prisma.$queryRaw\`SELECT 1\`;
    return res.status(200).json({ version: packageInfo.version });
  } catch {
    return res.status(503).json({ error: 'Service unavailable' });
  }
}
`,
  'pages/api/auth/[...nextauth].ts': `import NextAuth from 'next-auth';
import { authOptions } from '@/lib/auth';

export default NextAuth(authOptions);
`,
  'lib/auth.ts': `import type { NextAuthOptions } from 'next-auth';
import CredentialsProvider from 'next-auth/providers/credentials';
import EmailProvider from 'next-auth/providers/email';
import GitHubProvider from 'next-auth/providers/github';
import GoogleProvider from 'next-auth/providers/google';
import env from '@/lib/env';

// AUTH_PROVIDERS picks the sign-in methods (github,credentials unless set).
const enabled = (env.authProviders ?? 'github,credentials').split(',').map((p) => p.trim());

const providers: NextAuthOptions['providers'] = [];
if (enabled.includes('github')) providers.push(GitHubProvider({ clientId: env.github.clientId, clientSecret: env.github.clientSecret }));
if (enabled.includes('google')) providers.push(GoogleProvider({ clientId: env.google.clientId, clientSecret: env.google.clientSecret }));
if (enabled.includes('email')) providers.push(EmailProvider({ server: env.smtp.server, from: env.smtp.from }));
if (enabled.includes('credentials')) {
  providers.push(CredentialsProvider({ name: 'credentials', credentials: { email: {}, password: {} }, authorize: async () => null }));
}

export const authOptions: NextAuthOptions = {
  secret: env.nextAuth.secret,
  debug: process.env.NEXTAUTH_DEBUG === 'true',
  // @ts-ignore trustHost is not a next-auth 4 option
  trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false',
  providers,
  pages: { signIn: '/auth/login' },
};
`,
  // How the app reads its environment: every variable in one module, with the app's defaults.
  'lib/env.ts': `const flag = (value: string | undefined) => value === 'true';

const env = {
  appUrl: process.env.APP_URL,
  databaseUrl: process.env.DATABASE_URL,
  authProviders: process.env.AUTH_PROVIDERS,
  nextAuth: {
    secret: process.env.NEXTAUTH_SECRET,
    // trustHost: anything but "false" trusts the forwarded host.
    trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false',
  },
  github: { clientId: process.env.GITHUB_CLIENT_ID ?? '', clientSecret: process.env.GITHUB_CLIENT_SECRET ?? '' },
  google: { clientId: process.env.GOOGLE_CLIENT_ID ?? '', clientSecret: process.env.GOOGLE_CLIENT_SECRET ?? '' },
  smtp: { server: process.env.SMTP_SERVER, from: process.env.SMTP_FROM },
  stripe: {
    secretKey: process.env.STRIPE_SECRET_KEY,
    webhookSecret: process.env.STRIPE_WEBHOOK_SECRET,
    syncSecret: process.env.STRIPE_SYNC_SECRET,
  },
  securityHeaders: {
    hsts: flag(process.env.ENABLE_HSTS),
    cspStrict: flag(process.env.ENABLE_CSP_STRICT),
    coep: flag(process.env.ENABLE_COEP),
  },
  confirmEmail: flag(process.env.CONFIRM_EMAIL),
  teamFeatures: {
    sso: process.env.FEATURE_TEAM_SSO !== 'false',
    dsync: process.env.FEATURE_TEAM_DSYNC !== 'false',
    auditLog: process.env.FEATURE_TEAM_AUDIT_LOG !== 'false',
    webhook: process.env.FEATURE_TEAM_WEBHOOK !== 'false',
    apiKey: process.env.FEATURE_TEAM_API_KEY !== 'false',
    deletion: process.env.FEATURE_TEAM_DELETION !== 'false',
    payments: process.env.FEATURE_TEAM_PAYMENTS !== 'false',
  },
};

export default env;
`,
  'pages/api/auth/join.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import { prisma } from '@/lib/prisma';

interface Join {
  name?: unknown;
  email?: unknown;
  password?: unknown;
  team?: unknown;
}

const text = (value: unknown) => (typeof value === 'string' ? value.trim() : '');

/** Sign-up: a user and their first team. Validation errors are 4xx; nothing is written then. */
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).json({ error: { message: 'Method not allowed' } });
  }
  const body: Join = typeof req.body === 'object' && req.body !== null ? req.body : {};
  const [name, email, password, team] = [text(body.name), text(body.email).toLowerCase(), text(body.password), text(body.team)];
  if (!name || !team) return res.status(422).json({ error: { message: 'Name and team are required' } });
  if (!/^[^@\\s]+@[^@\\s]+$/.test(email)) return res.status(422).json({ error: { message: 'A valid email is required' } });
  if (password.length < 8) return res.status(422).json({ error: { message: 'The password needs at least 8 characters' } });
  if (await prisma.user.findUnique({ where: { email } })) return res.status(400).json({ error: { message: 'An user with this email already exists.' } });
  const user = await prisma.user.create({ data: { name, email, password } });
  await prisma.team.create({ data: { name: team, members: { create: { userId: user.id, role: 'OWNER' } } } });
  return res.status(201).json({ data: { confirmEmail: false } });
}
`,
  'pages/api/webhooks/stripe.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import Stripe from 'stripe';
import env from '@/lib/env';
import { prisma } from '@/lib/prisma';

// Stripe signs the raw body: Next must not parse it.
export const config = { api: { bodyParser: false } };

const stripe = new Stripe(env.stripe.secretKey ?? '');

async function rawBody(req: NextApiRequest): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks);
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).json({ error: { message: 'Method not allowed' } });
  }
  const signature = req.headers['stripe-signature'];
  const secret = env.stripe.webhookSecret;
  if (!signature || !secret) return res.status(400).json({ error: { message: 'Missing signature or webhook secret' } });
  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(await rawBody(req), signature, secret);
  } catch (error) {
    return res.status(400).json({ error: { message: \`Webhook error: \${(error as Error).message}\` } });
  }
  try {
    switch (event.type) {
      case 'checkout.session.completed':
      case 'customer.subscription.created':
      case 'customer.subscription.updated':
      case 'customer.subscription.deleted':
        await prisma.webhookEvent.upsert({ where: { id: event.id }, create: { id: event.id, type: event.type }, update: {} });
        break;
      case 'customer.updated':
      case 'invoice.payment_failed':
      case 'invoice.payment_succeeded':
        await prisma.webhookEvent.upsert({ where: { id: event.id }, create: { id: event.id, type: event.type }, update: {} });
        break;
      case 'price.created':
      case 'price.updated':
      case 'product.created':
      case 'product.updated':
        await prisma.webhookEvent.upsert({ where: { id: event.id }, create: { id: event.id, type: event.type }, update: {} });
        break;
      default:
        // Acknowledged, nothing written.
        break;
    }
  } catch (error) {
    return res.status(500).json({ error: { message: (error as Error).message } });
  }
  return res.status(200).json({ received: true });
}
`,
  'pages/api/admin/stripe/sync.ts': `import type { NextApiRequest, NextApiResponse } from 'next';
import Stripe from 'stripe';
import env from '@/lib/env';
import { prisma } from '@/lib/prisma';

/** Copies the active Stripe products and prices into "Service" and "Price" (npm run sync-stripe). */
export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).json({ error: 'Method not allowed' });
  }
  const secret = env.stripe.syncSecret;
  if (!secret) return res.status(503).json({ error: 'Service unavailable' });
  if (req.headers['x-stripe-sync-secret'] !== secret) return res.status(401).json({ error: 'Unauthorized' });
  const stripe = new Stripe(env.stripe.secretKey ?? '');
  let products = 0;
  let prices = 0;
  for await (const product of stripe.products.list({ active: true, limit: 100 })) {
    await prisma.service.upsert({ where: { id: product.id }, create: { id: product.id, name: product.name }, update: { name: product.name } });
    products++;
    for await (const price of stripe.prices.list({ product: product.id, active: true, limit: 100 })) {
      await prisma.price.upsert({ where: { id: price.id }, create: { id: price.id, serviceId: product.id }, update: {} });
      prices++;
    }
  }
  return res.status(200).json({ synced: true, products, prices });
}
`,
  'sentry.client.config.ts': `import * as Sentry from '@sentry/nextjs';

Sentry.init({
  dsn: process.env.NEXT_PUBLIC_SENTRY_DSN,
  environment: process.env.SENTRY_ENVIRONMENT,
  tracesSampleRate: 0.1,
});
`,
  'sentry.server.config.ts': `import * as Sentry from '@sentry/nextjs';

Sentry.init({
  dsn: process.env.NEXT_PUBLIC_SENTRY_DSN,
  environment: process.env.SENTRY_ENVIRONMENT,
  tracesSampleRate: 0.1,
});
`,
};
