/**
 * The rule registry, in catalog order (`../shared/spec/rules.md`). Adding a rule is one file, one
 * line here, one test file.
 */
import type { Rule } from '../engine/types.js';
import { appUrl } from './config/app-url.js';
import { nextauthUrl } from './config/nextauth-url.js';
import { databaseTls } from './config/database-tls.js';
import { databaseUrl } from './config/database-url.js';
import { enableCoep } from './config/enable-coep.js';
import { enableCspStrict } from './config/enable-csp-strict.js';
import { enableHsts } from './config/enable-hsts.js';
import { nextauthDebug } from './config/nextauth-debug.js';
import { nextauthTrustHost } from './config/nextauth-trust-host.js';
import { build } from './gate/build.js';
import { install } from './gate/install.js';
import { migrate } from './gate/migrate.js';
import { migrationSafety } from './gate/migration-safety.js';
import { migrations } from './gate/migrations.js';
import { noDbPush } from './gate/no-db-push.js';
import { securityCoep } from './security/coep.js';
import { committedSecrets } from './security/committed-secrets.js';
import { workflowSecrets } from './security/workflow-secrets.js';
import { securityCookies } from './security/cookies.js';
import { securityCsp } from './security/csp.js';
import { securityHeaders } from './security/headers.js';
import { securityHsts } from './security/hsts.js';
import { securityOrigin } from './security/origin.js';
import { backups } from './security/backups.js';
import { docs } from './security/docs.js';
import { rollback } from './security/rollback.js';
import { securityTls } from './security/tls.js';
import { monitoring } from './security/monitoring.js';
import { sentry } from './smoke/sentry.js';
import { authPages } from './smoke/auth-pages.js';
import { authProviders } from './smoke/auth-providers.js';
import { billingPlans } from './smoke/billing-plans.js';
import { featureGates } from './smoke/feature-gates.js';
import { health } from './smoke/health.js';
import { loginFlow } from './smoke/login-flow.js';
import { registerApi } from './smoke/register-api.js';
import { teamFlow } from './smoke/team-flow.js';
import { stripeWebhook } from './smoke/stripe-webhook.js';
import { catalogSync } from './stripe/catalog-sync.js';
import { liveMode } from './stripe/live-mode.js';
import { syncEndpoint } from './stripe/sync-endpoint.js';
import { webhookEndpoint } from './stripe/webhook-endpoint.js';
import { nextauthSecret } from './config/nextauth-secret.js';
import { oauthGithub } from './config/oauth-github.js';
import { oauthGoogle } from './config/oauth-google.js';
import { stripeSecretKey } from './config/stripe-secret-key.js';
import { stripeSyncSecret } from './config/stripe-sync-secret.js';
import { stripeWebhookSecret } from './config/stripe-webhook-secret.js';

export const RULES: readonly Rule[] = [
  appUrl,
  nextauthUrl,
  databaseUrl,
  databaseTls,
  nextauthSecret,
  oauthGithub,
  oauthGoogle,
  stripeSecretKey,
  stripeWebhookSecret,
  stripeSyncSecret,
  enableHsts,
  enableCspStrict,
  enableCoep,
  nextauthTrustHost,
  nextauthDebug,
  install,
  migrate,
  build,
  noDbPush,
  migrations,
  migrationSafety,
  health,
  authPages,
  authProviders,
  registerApi,
  loginFlow,
  teamFlow,
  billingPlans,
  stripeWebhook,
  featureGates,
  sentry,
  committedSecrets,
  workflowSecrets,
  securityTls,
  securityHsts,
  securityCsp,
  securityCoep,
  securityHeaders,
  securityCookies,
  securityOrigin,
  backups,
  monitoring,
  rollback,
  docs,
  liveMode,
  webhookEndpoint,
  syncEndpoint,
  catalogSync,
];
