/**
 * How strong a secret value is: a known placeholder or template value, and its estimated entropy.
 * Shared by the config rules (NEXTAUTH_SECRET, STRIPE_SYNC_SECRET) and the secret scanner.
 */
/** Values that appear in templates, tutorials and `.env.example` files. */
const PLACEHOLDERS = new Set([
  'secret',
  'changeme',
  'change-me',
  'change_me',
  'password',
  'test',
  'development',
  'dev',
  'supersecret',
  'super-secret',
  'mysecret',
  'nextauth_secret',
  'your_nextauth_secret_here',
  'your_secret_here',
  'your-secret-here',
  'replace-me',
  'replace_me',
  'todo',
  'xxx',
]);

export function isPlaceholder(value: string): boolean {
  const v = value.trim().toLowerCase();
  return (
    PLACEHOLDERS.has(v) ||
    /^your[_-].*[_-]here$/.test(v) ||
    /^<.*>$/.test(v) ||
    /^(x+|\*+|\.+|0+|1234567890?)$/.test(v) ||
    /(changeme|change[_-]me|placeholder|replace[_-]?me|example)/.test(v)
  );
}

/**
 * Estimated entropy in bits: length × log2 of the alphabet the value draws from (hex counts as 16
 * symbols, not 36), capped by the value's own symbol distribution so that `aaaa…` or a repeated
 * word does not pass on length alone. `openssl rand -base64 32` (≈ 256 bits) and `openssl rand -hex
 * 16` (128 bits) pass; a 32-character sentence of lowercase words does not.
 */
export function estimateEntropyBits(value: string): number {
  if (!value) return 0;
  let alphabet: number;
  if (/^[0-9a-f]+$/.test(value) || /^[0-9A-F]+$/.test(value)) alphabet = 16;
  else {
    alphabet = 0;
    if (/[a-z]/.test(value)) alphabet += 26;
    if (/[A-Z]/.test(value)) alphabet += 26;
    if (/[0-9]/.test(value)) alphabet += 10;
    if (/[^a-zA-Z0-9]/.test(value)) alphabet += 33;
  }
  const perSymbol = Math.log2(alphabet);
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let shannon = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    shannon -= p * Math.log2(p);
  }
  // A short random string cannot show its alphabet's full Shannon entropy (32 hex characters
  // show about 3.7 of 4 bits), so the distribution only caps values that are clearly repetitive.
  const repetitive = shannon < Math.min(perSymbol, Math.log2(value.length)) * 0.75;
  return Math.round(value.length * (repetitive ? shannon : perSymbol));
}
