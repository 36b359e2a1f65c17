/**
 * Data one rule hands to the rules after it, declared and typed. A `SharedKey<T>` names the rule that
 * produces the value and the value's type; the producer publishes it with `ctx.shared.set(key, value)`,
 * and a rule that needs it names the producer in its `after` and reads `ctx.shared.get(key)`. Nothing
 * else crosses between rules (their reports' `data` is for the JSON report, not for other rules).
 *
 * The store checks both ends, so a wrong declaration fails the rule at once with an internal error
 * rather than reading undefined quietly: only the producer may publish, and only a rule that comes
 * after the producer may read. A producer that was not selected (or stopped before publishing) leaves
 * the value undefined: the reader decides what that means.
 */
import type { RuleMeta } from './types.js';

export interface SharedKey<T> {
  /** The id of the one rule that publishes it. */
  readonly producer: string;
  /** What it is, for messages: "the Set-Cookie lines of the sign-in". */
  readonly name: string;
  /** Carries `T` for the type checker only; never set. */
  readonly type?: T;
}

export function sharedKey<T>(producer: string, name: string): SharedKey<T> {
  return { producer, name };
}

/** A rule's view of the run's shared values (`ctx.shared`). */
export interface SharedValues {
  get<T>(key: SharedKey<T>): T | undefined;
  set<T>(key: SharedKey<T>, value: T): void;
}

/** The run's shared values; the runner gives each rule a view bound to its meta. */
export class SharedStore {
  private readonly values = new Map<string, unknown>();

  viewFor(meta: Pick<RuleMeta, 'id' | 'after'>): SharedValues {
    const slot = (key: SharedKey<unknown>) => `${key.producer}\u0000${key.name}`;
    return {
      get: <T>(key: SharedKey<T>): T | undefined => {
        if (!(meta.after ?? []).includes(key.producer)) {
          throw new Error(`internal error: ${meta.id} reads ${key.name} from ${key.producer} but does not come after it (add it to meta.after)`);
        }
        return this.values.get(slot(key)) as T | undefined;
      },
      set: <T>(key: SharedKey<T>, value: T): void => {
        if (key.producer !== meta.id) throw new Error(`internal error: ${meta.id} publishes ${key.name}, which only ${key.producer} produces`);
        this.values.set(slot(key), value);
      },
    };
  }
}
