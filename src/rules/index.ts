/**
 * The rule registry, in catalog order (`../shared/spec/rules.md`). Adding a rule is one file, one
 * line here, one test file.
 */
import type { Rule } from '../engine/types.js';
import { appUrl, nextauthUrl } from './config/app-url.js';
import { databaseTls } from './config/database-tls.js';
import { databaseUrl } from './config/database-url.js';
import { enableCoep, enableCspStrict, enableHsts, nextauthDebug, nextauthTrustHost } from './config/flags.js';
import { build, install, migrate } from './gate/commands.js';
import { migrationSafety } from './gate/migration-safety.js';
import { migrations } from './gate/migrations.js';
import { noDbPush } from './gate/no-db-push.js';
import { nextauthSecret } from './config/nextauth-secret.js';
import { oauthGithub, oauthGoogle } from './config/oauth.js';
import { stripeSecretKey, stripeSyncSecret, stripeWebhookSecret } from './config/stripe-keys.js';

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
];
