/**
 * The rule registry, in catalog order (`../shared/spec/rules.md`): each rule's meta, and a `load()`
 * that imports its file on first use, as ESLint's rule map does. A run imports only the rules it
 * selected (a config-only run never loads the smoke, security or Stripe rules, nor what they import),
 * and the runner loads them before it runs them.
 *
 * The meta lives here only. A rule file (`./<section>/<name>.ts`) holds its literal id and its check,
 * and `defineRule` joins them to the meta registered for that id; the runner and a test check that each
 * entry loads the rule of its own id. Adding a rule is one file, one line here, one test file.
 *
 * Each entry declares its `scope` (engine/types.ts), which decides how a pull request is judged on it:
 * `repository` rules read only the repository (files, history, tags) and run a second time on the
 * base, with no command and no network, so that only what the change introduces blocks
 * (gate.migration-safety is compared by the migrations the change adds, `compareBy: 'diff'`);
 * `environment` rules judge the live app, the database, Stripe or the secret values, which a change
 * cannot have introduced; `command` rules install and build the change's code and are always judged.
 */
import type { LazyRule, Outcome, Rule, RuleContext, RuleMeta } from '../engine/types.js';

const DEPLOYMENT_GUIDE = 'docs/deployment-guide.md';
const RUNBOOK = 'docs/migration-operations-runbook.md';
const RELEASE_CHECKLIST = 'docs/release-checklist.md';
const BILLING_GUIDE = 'docs/billing-integration-guide.md';
const PLAYBOOK = 'docs/environment-commands-playbook.md';

export const RULES: readonly LazyRule[] = [
  // config
  { meta: { id: 'config.app-url', section: 'config', title: 'APP_URL is the production HTTPS origin', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/app-url.js').then((m) => m.appUrl) },
  { meta: { id: 'config.nextauth-url', section: 'config', title: 'NEXTAUTH_URL matches APP_URL', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/nextauth-url.js').then((m) => m.nextauthUrl) },
  { meta: { id: 'config.database-url', section: 'config', title: 'DATABASE_URL points at production over TLS', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/database-url.js').then((m) => m.databaseUrl) },
  { meta: { id: 'config.database-tls', section: 'config', title: 'The database connection negotiates TLS', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/database-tls.js').then((m) => m.databaseTls) },
  { meta: { id: 'config.nextauth-secret', section: 'config', title: 'NEXTAUTH_SECRET is strong and unique', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/nextauth-secret.js').then((m) => m.nextauthSecret) },
  { meta: { id: 'config.oauth-github', section: 'config', title: 'GitHub OAuth client is configured', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/oauth-github.js').then((m) => m.oauthGithub) },
  { meta: { id: 'config.oauth-google', section: 'config', title: 'Google OAuth client is configured', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/oauth-google.js').then((m) => m.oauthGoogle) },
  { meta: { id: 'config.stripe-secret-key', section: 'config', title: 'STRIPE_SECRET_KEY is a live key', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./config/stripe-secret-key.js').then((m) => m.stripeSecretKey) },
  { meta: { id: 'config.stripe-webhook-secret', section: 'config', title: 'STRIPE_WEBHOOK_SECRET is a signing secret', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./config/stripe-webhook-secret.js').then((m) => m.stripeWebhookSecret) },
  { meta: { id: 'config.stripe-sync-secret', section: 'config', title: 'STRIPE_SYNC_SECRET is strong and unique', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./config/stripe-sync-secret.js').then((m) => m.stripeSyncSecret) },
  { meta: { id: 'config.enable-hsts', section: 'config', title: 'ENABLE_HSTS=true', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/enable-hsts.js').then((m) => m.enableHsts) },
  { meta: { id: 'config.enable-csp-strict', section: 'config', title: 'ENABLE_CSP_STRICT=true', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/enable-csp-strict.js').then((m) => m.enableCspStrict) },
  { meta: { id: 'config.enable-coep', section: 'config', title: 'ENABLE_COEP=true', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/enable-coep.js').then((m) => m.enableCoep) },
  { meta: { id: 'config.nextauth-trust-host', section: 'config', title: 'NEXTAUTH_TRUST_HOST=false', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/nextauth-trust-host.js').then((m) => m.nextauthTrustHost) },
  { meta: { id: 'config.nextauth-debug', section: 'config', title: 'NEXTAUTH_DEBUG is off', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./config/nextauth-debug.js').then((m) => m.nextauthDebug) },

  // gate
  { meta: { id: 'gate.install', section: 'gate', title: "Dependencies install (the lockfile's frozen install)", kind: 'command', scope: 'command' }, load: () => import('./gate/install.js').then((m) => m.install) },
  // After the safety lint, so that `migration-safety.level: fail` can stop risky statements first.
  { meta: { id: 'gate.migrate', section: 'gate', title: 'Migrations apply (prisma migrate deploy)', docs: RUNBOOK, kind: 'command', after: ['gate.install', 'gate.migration-safety', 'gate.migration-dialect'], scope: 'command' }, load: () => import('./gate/migrate.js').then((m) => m.migrate) },
  { meta: { id: 'gate.build', section: 'gate', title: 'The app builds (its build-ci or build script)', kind: 'command', after: ['gate.install', 'gate.migrate'], scope: 'command' }, load: () => import('./gate/build.js').then((m) => m.build) },
  { meta: { id: 'gate.no-db-push', section: 'gate', title: 'No prisma db push in production', docs: RUNBOOK, scope: 'repository' }, load: () => import('./gate/no-db-push.js').then((m) => m.noDbPush) },
  { meta: { id: 'gate.destructive-commands', section: 'gate', title: 'No destructive command in production', docs: PLAYBOOK, scope: 'repository' }, load: () => import('./gate/destructive-commands.js').then((m) => m.destructiveCommands) },
  // After the migrate step: the history is compared with what the step just applied.
  { meta: { id: 'gate.migrations', section: 'gate', title: 'Migration history is clean', docs: RUNBOOK, after: ['gate.migrate'], scope: 'environment' }, load: () => import('./gate/migrations.js').then((m) => m.migrations) },
  // After the install (a rehearsal runs the app's Prisma CLI), with a command's bound (a rehearsal takes minutes).
  { meta: { id: 'gate.migration-safety', section: 'gate', title: 'Pending migrations are safe to apply', docs: RUNBOOK, kind: 'command', after: ['gate.install'], scope: 'repository', compareBy: 'diff' }, load: () => import('./gate/migration-safety.js').then((m) => m.migrationSafety) },
  // Before the migrate step: migrations for another database must not reach production.
  { meta: { id: 'gate.migration-dialect', section: 'gate', title: "Migrations are SQL for the datasource's database", docs: RUNBOOK, scope: 'repository' }, load: () => import('./gate/migration-dialect.js').then((m) => m.migrationDialect) },

  // smoke
  { meta: { id: 'smoke.health', section: 'smoke', title: 'Health endpoint answers', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./smoke/health.js').then((m) => m.health) },
  { meta: { id: 'smoke.auth-pages', section: 'smoke', title: 'Login and sign-up pages load', docs: RELEASE_CHECKLIST, scope: 'environment' }, load: () => import('./smoke/auth-pages.js').then((m) => m.authPages) },
  { meta: { id: 'smoke.auth-providers', section: 'smoke', title: 'Sign-in providers use the production callback URL', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./smoke/auth-providers.js').then((m) => m.authProviders) },
  { meta: { id: 'smoke.register-api', section: 'smoke', title: 'Sign-up API validates its input', docs: RELEASE_CHECKLIST, scope: 'environment' }, load: () => import('./smoke/register-api.js').then((m) => m.registerApi) },
  { meta: { id: 'smoke.login-flow', section: 'smoke', title: 'Smoke account can sign in', docs: RELEASE_CHECKLIST, scope: 'environment' }, load: () => import('./smoke/login-flow.js').then((m) => m.loginFlow) },
  // After the sign-in: a smoke account that cannot sign in creates no team.
  { meta: { id: 'smoke.team-flow', section: 'smoke', title: 'Team can be created and deleted', docs: RELEASE_CHECKLIST, after: ['smoke.login-flow'], scope: 'environment' }, load: () => import('./smoke/team-flow.js').then((m) => m.teamFlow) },
  { meta: { id: 'smoke.billing-plans', section: 'smoke', title: 'The pricing page shows the plans', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./smoke/billing-plans.js').then((m) => m.billingPlans) },
  { meta: { id: 'smoke.stripe-webhook', section: 'smoke', title: 'The Stripe webhook verifies signatures', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./smoke/stripe-webhook.js').then((m) => m.stripeWebhook) },
  { meta: { id: 'smoke.feature-gates', section: 'smoke', title: 'Plan features are gated per entitlements', docs: RELEASE_CHECKLIST, scope: 'environment' }, load: () => import('./smoke/feature-gates.js').then((m) => m.featureGates) },
  { meta: { id: 'smoke.sentry', section: 'smoke', title: 'Sentry receives events', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./smoke/sentry.js').then((m) => m.sentry) },

  // security
  // A local scan, but of a whole repository (and maybe its history): the long bound of commands.
  { meta: { id: 'security.committed-secrets', section: 'security', title: 'No secret is committed', docs: DEPLOYMENT_GUIDE, kind: 'command', scope: 'repository' }, load: () => import('./security/committed-secrets.js').then((m) => m.committedSecrets) },
  { meta: { id: 'security.workflow-secrets', section: 'security', title: 'Workflows take secrets from the secret store', docs: DEPLOYMENT_GUIDE, scope: 'repository' }, load: () => import('./security/workflow-secrets.js').then((m) => m.workflowSecrets) },
  { meta: { id: 'security.tls', section: 'security', title: 'TLS certificate and protocol', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/tls.js').then((m) => m.securityTls) },
  { meta: { id: 'security.hsts', section: 'security', title: 'HSTS header', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/hsts.js').then((m) => m.securityHsts) },
  { meta: { id: 'security.csp', section: 'security', title: 'Content-Security-Policy', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/csp.js').then((m) => m.securityCsp) },
  { meta: { id: 'security.coep', section: 'security', title: 'Cross-origin isolation (COEP/COOP)', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/coep.js').then((m) => m.securityCoep) },
  { meta: { id: 'security.headers', section: 'security', title: 'Security headers', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/headers.js').then((m) => m.securityHeaders) },
  // After the opt-in sign-in, whose session cookie (attributes only, value masked) is judged too.
  { meta: { id: 'security.cookies', section: 'security', title: 'Auth cookie attributes', docs: DEPLOYMENT_GUIDE, after: ['smoke.login-flow'], scope: 'environment' }, load: () => import('./security/cookies.js').then((m) => m.securityCookies) },
  { meta: { id: 'security.origin', section: 'security', title: 'URLs handed to browsers use the public origin', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/origin.js').then((m) => m.securityOrigin) },
  { meta: { id: 'security.backups', section: 'security', title: 'Backups and a tested restore are attested', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/backups.js').then((m) => m.backups) },
  { meta: { id: 'security.monitoring', section: 'security', title: 'Monitoring and alerts are on', docs: DEPLOYMENT_GUIDE, scope: 'environment' }, load: () => import('./security/monitoring.js').then((m) => m.monitoring) },
  { meta: { id: 'security.rollback', section: 'security', title: 'Rollback is documented and possible', docs: DEPLOYMENT_GUIDE, scope: 'repository' }, load: () => import('./security/rollback.js').then((m) => m.rollback) },
  { meta: { id: 'security.docs', section: 'security', title: 'The guide\'s documents exist', scope: 'repository' }, load: () => import('./security/docs.js').then((m) => m.docs) },
  { meta: { id: 'security.dependencies', section: 'security', title: 'No known advisory; the browser-baseline chain is current', docs: RELEASE_CHECKLIST, scope: 'environment' }, load: () => import('./security/dependencies.js').then((m) => m.dependencies) },

  // stripe
  { meta: { id: 'stripe.live-mode', section: 'stripe', title: 'Stripe answers in live mode', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./stripe/live-mode.js').then((m) => m.liveMode) },
  { meta: { id: 'stripe.webhook-endpoint', section: 'stripe', title: 'Stripe sends webhooks to the app', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./stripe/webhook-endpoint.js').then((m) => m.webhookEndpoint) },
  { meta: { id: 'stripe.sync-endpoint', section: 'stripe', title: 'The Stripe sync endpoint is protected', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./stripe/sync-endpoint.js').then((m) => m.syncEndpoint) },
  { meta: { id: 'stripe.catalog-sync', section: 'stripe', title: 'Stripe products and prices are in the database', docs: BILLING_GUIDE, scope: 'environment' }, load: () => import('./stripe/catalog-sync.js').then((m) => m.catalogSync) },
];

const META: ReadonlyMap<string, RuleMeta> = new Map(RULES.map((r) => [r.meta.id, r.meta]));

/** What a rule file writes: its id, literally, and its check. */
export interface RuleDefinition {
  id: string;
  check(ctx: RuleContext): Promise<Outcome>;
}

/** The rule of a rule file: its check with the meta registered for its id (an id not registered is a bug). */
export function defineRule(definition: RuleDefinition): Rule {
  const meta = META.get(definition.id);
  if (!meta) throw new Error(`internal error: rule ${definition.id} is not in the registry (src/rules/index.ts)`);
  return { meta, check: definition.check };
}
