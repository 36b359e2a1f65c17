/**
 * Every rule id of the public catalog (`../shared/spec/rules.md`), in catalog order: the contract the
 * registry is tested against (ids never change once released).
 */
export const CATALOG_IDS: readonly string[] = [
  'config.app-url', 'config.nextauth-url', 'config.database-url', 'config.database-tls', 'config.nextauth-secret',
  'config.oauth-github', 'config.oauth-google', 'config.stripe-secret-key', 'config.stripe-webhook-secret',
  'config.stripe-sync-secret', 'config.enable-hsts', 'config.enable-csp-strict', 'config.enable-coep',
  'config.nextauth-trust-host', 'config.nextauth-debug',
  'gate.install', 'gate.migrate', 'gate.build', 'gate.no-db-push', 'gate.destructive-commands', 'gate.migrations',
  'gate.migration-safety', 'gate.migration-dialect',
  'smoke.health', 'smoke.auth-pages', 'smoke.auth-providers', 'smoke.register-api', 'smoke.login-flow',
  'smoke.team-flow', 'smoke.billing-plans', 'smoke.stripe-webhook', 'smoke.feature-gates', 'smoke.sentry',
  'security.committed-secrets', 'security.workflow-secrets', 'security.tls', 'security.hsts', 'security.csp',
  'security.coep', 'security.headers', 'security.cookies', 'security.origin', 'security.backups', 'security.monitoring',
  'security.rollback', 'security.docs', 'security.dependencies',
  'stripe.live-mode', 'stripe.webhook-endpoint', 'stripe.sync-endpoint', 'stripe.catalog-sync',
];
