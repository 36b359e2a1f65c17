/**
 * The run's shared clients. Each one is created by the first rule that asks for it (so a run that
 * selects only `config` never loads `pg` or `stripe`), shared by every later rule, and closed once
 * by the runner at the end. Tests build a Clients for real local servers the same way.
 */
import type { Settings } from '../settings.js';
import { connectReadOnly, type ReadOnlyDb } from './db.js';
import { HttpClient } from './http.js';
import type { Repository } from './repository.js';
import { createStripe, type StripeHandle } from './stripe.js';
import { track } from '../util/activity.js';

export interface Clients {
  /** One read-only connection to `DATABASE_URL` (rejects when unset or unreachable). */
  db(): Promise<ReadOnlyDb>;
  /** The HTTP probe client (resolve, ca-file, timeouts, retries), shared so sockets are reused. */
  http(): HttpClient;
  /** The read-only Stripe client for STRIPE_SECRET_KEY (the SDK is loaded on first use). */
  stripe(): Promise<StripeHandle>;
  /** The app's repository (working-directory): deploy files read and parsed once per run. */
  repository(): Promise<Repository>;
  close(): Promise<void>;
}

export function createClients(settings: Settings): Clients {
  let db: Promise<ReadOnlyDb> | undefined;
  let http: HttpClient | undefined;
  let stripe: Promise<StripeHandle> | undefined;
  let repository: Promise<Repository> | undefined;
  return {
    repository() {
      repository ??= import('./repository.js').then(({ Repository }) => new Repository(settings.workingDirectory));
      return repository;
    },
    stripe() {
      const key = settings.env.STRIPE_SECRET_KEY;
      if (!key) return Promise.reject(new Error('STRIPE_SECRET_KEY is not set'));
      stripe ??= createStripe({ secretKey: key, apiBase: settings.stripeApiBase, timeoutMs: settings.timeoutSeconds * 1000 });
      return track('Stripe', 'load the Stripe SDK', stripe);
    },
    http() {
      http ??= new HttpClient({ resolve: settings.resolve, ca: settings.ca, timeoutMs: settings.timeoutSeconds * 1000 });
      return http;
    },
    db() {
      const url = settings.env.DATABASE_URL;
      if (!url) return Promise.reject(new Error('DATABASE_URL is not set'));
      db ??= connectReadOnly(url, {
        ca: settings.ca,
        resolve: settings.resolve,
        timeoutMs: settings.timeoutSeconds * 1000,
      }).then(oneQueryAtATime);
      return track('database', `connect to ${databaseHost(url)}`, db);
    },
    async close() {
      const pending = db;
      db = undefined;
      http?.close();
      http = undefined;
      if (pending) await pending.then((c) => c.close()).catch(() => undefined);
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

/**
 * Rules share the connection and run concurrently; a pg client runs one query at a time and queuing
 * more on it is deprecated (pg 9 removes it), so the queue is kept here. Each query is tracked as
 * database work of the rule that asked.
 */
function oneQueryAtATime(db: ReadOnlyDb): ReadOnlyDb {
  const query = db.client.query.bind(db.client) as (...args: unknown[]) => Promise<unknown>;
  let tail: Promise<unknown> = Promise.resolve();
  db.client.query = ((...args: unknown[]) => {
    const run = tail.then(() => query(...args));
    tail = run.catch(() => undefined);
    const text = typeof args[0] === 'string' ? args[0] : 'a query';
    return track('database', `query ${text.replace(/\s+/g, ' ').slice(0, 60)}`, run);
  }) as typeof db.client.query;
  return db;
}
