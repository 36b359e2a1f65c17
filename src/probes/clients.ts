/**
 * The run's shared clients: every connection, client or command runner a rule uses comes from here.
 * Each one is created by the first rule that asks for it (so a run that selects only `config` never
 * loads `pg` or `stripe`), shared by every later rule, and closed once by the runner at the end.
 * Tests build a Clients for real local servers the same way.
 */
import type { ResolveEntry, Settings } from '../settings.js';
import { roleValue } from '../analysis/app/roles.js';
import { connectReadOnly, type ReadOnlyDb, type SslMode } from './db.js';
import { GitClient } from './git.js';
import { HttpClient } from './http.js';
import type { Repository } from './repository.js';
import { createStripe, type StripeHandle } from './stripe.js';
import { track } from '../util/activity.js';

export interface Clients {
  /**
   * The read-only session on `DATABASE_URL` (rejects when unset or unreachable). With `sslMode`, a
   * session of its own that overrides the URL's sslmode (config.database-tls asks whether
   * `sslmode=require` works when verification fails).
   */
  db(options?: { sslMode?: SslMode }): Promise<ReadOnlyDb>;
  /**
   * The HTTP probe client (resolve, ca-file, timeouts, retries), shared so sockets are reused. With
   * `extraResolve`, a client of its own that also applies those entries (security.tls borrows the
   * HTTPS entry's address for port 80): the user's shared client never sees them.
   */
  http(options?: { extraResolve?: readonly ResolveEntry[] }): HttpClient;
  /** The read-only Stripe client for STRIPE_SECRET_KEY (the SDK is loaded on first use). */
  stripe(): Promise<StripeHandle>;
  /** The app's repository (working-directory): deploy files read and parsed once per run. */
  repository(): Promise<Repository>;
  /** Read-only git commands in the working directory. */
  git(): GitClient;
  close(): Promise<void>;
}

export function createClients(settings: Settings): Clients {
  const dbs = new Map<string, Promise<ReadOnlyDb>>();
  const https = new Map<string, HttpClient>();
  let stripe: Promise<StripeHandle> | undefined;
  let repository: Promise<Repository> | undefined;
  let git: GitClient | undefined;
  return {
    stripe() {
      const role = roleValue(settings.app, 'stripeSecretKey', settings.env) ?? { name: 'STRIPE_SECRET_KEY' };
      const key = role.value;
      if (!key) return Promise.reject(new Error(`${role.name} is not set`));
      stripe ??= createStripe({ secretKey: key, apiBase: settings.stripeApiBase, timeoutMs: settings.timeoutSeconds * 1000 });
      return track('Stripe', 'load the Stripe SDK', stripe);
    },
    http(options = {}) {
      const extra = options.extraResolve ?? [];
      const key = extra.map((e) => `${e.host}:${e.port}:${e.address}`).join(',');
      let client = https.get(key);
      if (!client) {
        client = new HttpClient({ resolve: [...settings.resolve, ...extra], ca: settings.ca, timeoutMs: settings.timeoutSeconds * 1000 });
        https.set(key, client);
      }
      return client;
    },
    db(options = {}) {
      const role = roleValue(settings.app, 'databaseUrl', settings.env) ?? { name: 'DATABASE_URL' };
      const url = role.value;
      if (!url) return Promise.reject(new Error(`${role.name} is not set`));
      const key = options.sslMode ?? '';
      let db = dbs.get(key);
      if (!db) {
        db = connectReadOnly(url, { ca: settings.ca, resolve: settings.resolve, timeoutMs: settings.timeoutSeconds * 1000, sslMode: options.sslMode });
        // Every rule that asks gets this one promise: a connection that failed is one error, not one per rule.
        db.catch(() => undefined);
        dbs.set(key, db);
      }
      return track('database', `connect to ${databaseHost(url)}${options.sslMode ? ` (sslmode=${options.sslMode})` : ''}`, db);
    },
    repository() {
      repository ??= import('./repository.js').then(({ Repository }) => new Repository(settings.workingDirectory));
      return repository;
    },
    git() {
      git ??= new GitClient(settings.workingDirectory);
      return git;
    },
    async close() {
      const pending = [...dbs.values()];
      dbs.clear();
      for (const client of https.values()) client.close();
      https.clear();
      await Promise.all(pending.map((db) => db.then((c) => c.close()).catch(() => undefined)));
    },
  };
}

/** `host:port` of a database URL, for messages (never the credentials). */
function databaseHost(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 5432}`;
  } catch {
    return 'DATABASE_URL';
  }
}
