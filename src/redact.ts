/**
 * Every piece of text a reporter writes passes through a Redactor. The runner masks secrets through
 * `core.setSecret`, but the CLI has no runner, and a report file is read outside the log: so the gate
 * removes every known secret value itself, in every form `secretForms` knows (raw, URL-encoded, base64
 * at any alignment, hex, JSON/JS-escaped).
 */
import { secretForms } from './secret-forms.js';

export const REDACTED = '***';

/** Values shorter than this are not masked: masking "true" or "1" would garble every report. */
const MIN_SECRET_LENGTH = 6;

export class Redactor {
  private readonly needles: string[];

  constructor(secrets: Iterable<string | undefined>) {
    const set = new Set<string>();
    for (const secret of secrets) {
      if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
      for (const variant of secretForms(secret)) if (variant.length >= MIN_SECRET_LENGTH) set.add(variant);
    }
    // Longest first, so a secret that contains another is masked whole.
    this.needles = [...set].sort((a, b) => b.length - a.length);
  }

  /** The values this redactor masks (raw and encoded), for `core.setSecret`. */
  get values(): readonly string[] {
    return this.needles;
  }

  redact(text: string): string {
    let out = text;
    for (const needle of this.needles) if (out.includes(needle)) out = out.split(needle).join(REDACTED);
    return out;
  }

  /** Deep-redacts every string of a JSON-like value. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v);
      return out as T;
    }
    return value;
  }
}

/** Shows just enough of a secret to recognise it: `sk_live_…a1b2`. */
export function maskValue(value: string): string {
  if (value.length <= 8) return REDACTED;
  // A vendor's fixed prefix says what the credential is and carries nothing of the secret.
  const prefix =
    /^(?:(?:sk|rk|pk)_(?:live|test)_|whsec_|GOCSPX-|gh[pousr]_|github_pat_|AKIA|ASIA|AIza|sntry[su]_|xox[abeoprs]-|xapp-|SG\.|npm_|vc[acikpr]_|sk-(?:proj|svcacct|admin)-|sk-ant-(?:api|admin)\d\d-|sk-|sb_secret_|re_|key-|AGE-SECRET-KEY-1)/.exec(value)?.[0] ?? '';
  return `${prefix}…${value.slice(-4)}`;
}
