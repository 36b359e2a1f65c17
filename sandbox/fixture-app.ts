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
import GitHubProvider from 'next-auth/providers/github';

const enabled = (process.env.AUTH_PROVIDERS ?? 'github,credentials').split(',');

export const authOptions: NextAuthOptions = {
  secret: process.env.NEXTAUTH_SECRET,
  debug: process.env.NEXTAUTH_DEBUG === 'true',
  // @ts-ignore trustHost is not a next-auth 4 option
  trustHost: process.env.NEXTAUTH_TRUST_HOST !== 'false',
  pages: { signIn: '/auth/login' },
  providers: enabled.includes('github')
    ? [GitHubProvider({ clientId: process.env.GITHUB_CLIENT_ID ?? '', clientSecret: process.env.GITHUB_CLIENT_SECRET ?? '' })]
    : [],
};
`,
};
