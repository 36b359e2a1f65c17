/**
 * What a piece of work is waiting for, so that when it is cut off at its time bound the report can say
 * "waiting for the database (connect to db.acme.com:5432)" rather than only "timed out".
 *
 * The caller opens a scope with `withActivity` (the engine does, once per rule); every I/O the probes
 * start inside it (a query, an HTTP request, a Stripe call, a command) registers itself with `track`
 * while it is in flight. AsyncLocalStorage carries the scope through promises and callbacks, so probes
 * need no extra parameter and know nothing of who is asking.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

/** The outside parts of the world the gate waits for. */
export type Component = 'app' | 'database' | 'Stripe' | 'Sentry' | 'GitHub' | 'registry' | 'command';

export interface InFlight {
  component: Component;
  /** What exactly: `GET https://app.acme.com/api/health`, `connect to db.acme.com:5432`, `npm ci`. */
  detail: string;
  since: number;
}

export class Activity {
  private readonly open = new Set<InFlight>();
  /** The last operation that started, kept after it ended: a rule stuck in its own code names it too. */
  last?: InFlight;

  start(component: Component, detail: string): () => void {
    const entry: InFlight = { component, detail, since: performance.now() };
    this.open.add(entry);
    this.last = entry;
    return () => this.open.delete(entry);
  }

  /** Operations in flight now, oldest first. */
  inFlight(): InFlight[] {
    return [...this.open].sort((a, b) => a.since - b.since);
  }
}

const storage = new AsyncLocalStorage<Activity>();

/** Runs `fn` with `activity` as the scope that `track` records into. */
export function withActivity<T>(activity: Activity, fn: () => T): T {
  return storage.run(activity, fn);
}

/** Records `work` as in flight for `component` in the current scope (if any) until it settles. */
export function track<T>(component: Component, detail: string, work: Promise<T>): Promise<T> {
  const activity = storage.getStore();
  if (!activity) return work;
  const end = activity.start(component, detail);
  return work.finally(end);
}

/** Names the components in flight (or the last one) as a phrase: "the database (connect to …)". */
export function describeWaiting(activity: Activity): { component?: Component; text: string } {
  const open = activity.inFlight();
  const first = open[0];
  if (first) {
    const others = open.length > 1 ? ` and ${open.length - 1} more` : '';
    return { component: first.component, text: `waiting for ${componentName(first.component)} (${first.detail})${others}` };
  }
  if (activity.last) {
    return { text: `nothing was in flight; the last operation was ${componentName(activity.last.component)} (${activity.last.detail})` };
  }
  return { text: 'nothing was in flight (the rule itself did not return)' };
}

export function componentName(component: Component): string {
  switch (component) {
    case 'app':
      return 'the app';
    case 'database':
      return 'the database';
    case 'command':
      return 'a command';
    case 'registry':
      return 'the npm registry';
    default:
      return component;
  }
}
