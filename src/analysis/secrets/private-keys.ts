/**
 * Private keys judged by their decoded structure, not by how random their text looks: the body of
 * an unencrypted OpenSSH key starts with ~100 characters of fixed structure (`openssh-key-v1`,
 * `none`, `none`, the key type), which a randomness test takes for typed text, while a README's
 * `MIIEvQ...` looks random enough and is no key at all. So each format is decoded and read:
 *
 * - PEM (RFC 7468) PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, `DSA PRIVATE KEY`, PKCS#8
 *   `PRIVATE KEY`: the DER must be the format's SEQUENCE and fill the body exactly. Encrypted PKCS#8
 *   (`ENCRYPTED PRIVATE KEY`) and OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`) are
 *   keys protected by a passphrase.
 * - OpenSSH `openssh-key-v1` (PROTOCOL.key): the cipher says whether the private part is encrypted;
 *   when it is `none`, the two check integers must match and the private key's type must be the
 *   public key's.
 * - OpenPGP (RFC 4880 / 9580) secret-key packets: the string-to-key usage octet says whether the
 *   secret is protected; an unprotected v4 secret must match its two-octet checksum. GnuPG's stubs
 *   (`gnu-dummy`, a key on a smart card) hold no secret.
 * - PuTTY `.ppk` v2 and v3: `Encryption: none` with a private blob of the algorithm's fields.
 * - A DER key or a binary OpenPGP key as a whole binary file.
 *
 * The text around a key may be escaped (JSON `\n` once or twice, `%0A`), concatenated (`"…" +`),
 * an array of lines, or indented YAML: the armor is unwrapped first. A header with a truncated body,
 * `...` or a placeholder decodes to nothing and is not a key.
 *
 * Node's crypto (OpenSSL) could parse the PEM kinds, but not OpenSSH, PGP or PuTTY, and it refuses
 * keys of algorithms it does not know and encrypted keys without their passphrase; reading the
 * outer structure is all a verdict needs, so one small DER reader serves every format.
 */

/** Characters after a key's header read to find its end (an RSA 8192 key, twice escaped, fits). */
export const MAX_KEY_TEXT = 32 * 1024;

/** What a key is: unprotected (a live credential) or protected by a passphrase (a warning). */
export interface KeyVerdict {
  protected: boolean;
  /** "an unencrypted OpenSSH private key (ssh-ed25519)". */
  label: string;
  /** The armored block as unwrapped (identity and allowlists); never reported. */
  block: string;
}

// ---------------------------------------------------------------------------------------------
// Unwrapping the armor

/**
 * The text a program would read from an armored key written inside other text: percent-encoding
 * decoded, JSON/JS escapes (`\n`, `\\n`, `\r`, `\/`) decoded, string concatenation and arrays of
 * lines joined back into lines. Read up to the first `-----END` (in whatever encoding).
 */
function unwrap(raw: string): string {
  const stop = raw.indexOf('-----END');
  let text = stop === -1 ? raw : raw.slice(0, stop + 120);
  if (/%(?:0A|0D|2B|2F|3D|20)/i.test(text)) {
    text = text.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  }
  if (text.includes('\\')) text = text.replace(/\\+r/g, '').replace(/\\+n/g, '\n').replace(/\\+\//g, '/').replace(/\\\r?\n/g, '\n');
  // A closing quote, separators (`+`, `,`, blanks, line breaks), an opening quote: a join.
  return text.replace(/["'`][\s+,]*["'`]/g, '\n');
}

interface Armor {
  /** `RSA PRIVATE KEY`, `OPENSSH PRIVATE KEY`, `PGP PRIVATE KEY BLOCK`. */
  label: string;
  /** PEM headers (`Proc-Type`, `DEK-Info`, `Version`), by lowercase name. */
  headers: Map<string, string>;
  body: Buffer;
  block: string;
}

/** The armor at the start of `raw` (its header first), decoded; undefined when it has no complete body. */
function readArmor(raw: string): Armor | undefined {
  const text = unwrap(raw);
  const head = /^-----BEGIN[ +]([A-Z0-9][A-Z0-9 +]*?)-----/.exec(text);
  if (!head) return undefined;
  const label = head[1]!.replace(/\+/g, ' ');
  const end = new RegExp(`-----END[ +]${label.replace(/ /g, '[ +]')}-----`).exec(text);
  if (!end || end.index < head[0].length) return undefined;
  const headers = new Map<string, string>();
  let body = '';
  for (const line of text.slice(head[0].length, end.index).split(/\r?\n/)) {
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const header = body === '' ? /^([A-Za-z][A-Za-z0-9-]*):\s*(.*)$/.exec(trimmed) : null;
    if (header) {
      headers.set(header[1]!.toLowerCase(), header[2]!);
      continue;
    }
    // OpenPGP's armor checksum: `=` and 4 characters on a line of their own, after the body.
    if (/^=[A-Za-z0-9+/]{4}$/.test(trimmed) && label.startsWith('PGP')) break;
    body += trimmed.replace(/\s+/g, '');
  }
  // Lines joined without breaks (an array of lines) leave the checksum glued to the body.
  if (label.startsWith('PGP') && body.length % 4 === 1) body = body.replace(/=[A-Za-z0-9+/]{4}$/, '');
  if (body.length < 40 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 === 1) return undefined;
  return { label, headers, body: Buffer.from(body, 'base64'), block: `${head[0]}${body}` };
}

// ---------------------------------------------------------------------------------------------
// DER

interface Tlv {
  tag: number;
  /** Where the content starts and ends. */
  start: number;
  end: number;
}

/** One DER element at `pos`, within `limit`; undefined when it does not fit. */
function tlv(buf: Buffer, pos: number, limit: number): Tlv | undefined {
  if (pos + 2 > limit) return undefined;
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) return undefined;
  let length = buf[pos + 1]!;
  let start = pos + 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 3 || start + octets > limit) return undefined;
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buf[start + i]!;
    start += octets;
    if (length < 0x80) return undefined;
  }
  if (start + length > limit) return undefined;
  return { tag, start, end: start + length };
}

/** The elements inside a constructed element, which must fill it exactly. */
function children(buf: Buffer, parent: Tlv): Tlv[] | undefined {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const child = tlv(buf, pos, parent.end);
    if (!child) return undefined;
    out.push(child);
    pos = child.end;
  }
  return out;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const OCTET_STRING = 0x04;
const OID = 0x06;

/** The whole buffer as one SEQUENCE, and its elements. */
function topSequence(der: Buffer): Tlv[] | undefined {
  const top = tlv(der, 0, der.length);
  if (!top || top.tag !== SEQUENCE || top.end !== der.length) return undefined;
  return children(der, top);
}

const smallInteger = (der: Buffer, t: Tlv | undefined, ...values: number[]) => t?.tag === INTEGER && t.end - t.start === 1 && values.includes(der[t.start]!);

function oidText(der: Buffer, t: Tlv): string {
  const parts: number[] = [];
  let value = 0;
  for (let i = t.start; i < t.end; i++) {
    value = value * 128 + (der[i]! & 0x7f);
    if (!(der[i]! & 0x80)) {
      if (parts.length === 0) parts.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}

const ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'RSA',
  '1.2.840.113549.1.1.10': 'RSA-PSS',
  '1.2.840.10045.2.1': 'EC',
  '1.2.840.10040.4.1': 'DSA',
  '1.2.840.113549.1.3.1': 'DH',
  '1.2.840.10046.2.1': 'DH',
  '1.3.101.110': 'X25519',
  '1.3.101.111': 'X448',
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
};
const CURVES: Record<string, string> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.132.0.33': 'P-224',
};

/** Bits of a DER INTEGER (an RSA modulus). */
function integerBits(der: Buffer, t: Tlv): number {
  let start = t.start;
  while (start < t.end - 1 && der[start] === 0) start++;
  const first = der[start]!;
  return (t.end - start - 1) * 8 + (first === 0 ? 0 : Math.floor(Math.log2(first)) + 1);
}

/** PKCS#1 RSAPrivateKey: version, then n, e, d, p, q, dp, dq, qinv. */
function pkcs1(der: Buffer): string | undefined {
  const c = topSequence(der);
  if (!c || c.length < 9 || !smallInteger(der, c[0], 0, 1) || !c.slice(0, 9).every((t) => t.tag === INTEGER)) return undefined;
  return `RSA, ${integerBits(der, c[1]!)} bits`;
}

/** SEC1 ECPrivateKey: version 1, the private key, [0] the curve, [1] the public key. */
function sec1(der: Buffer): string | undefined {
  const c = topSequence(der);
  if (!c || c.length < 2 || !smallInteger(der, c[0], 1) || c[1]!.tag !== OCTET_STRING || c[1]!.end - c[1]!.start < 16) return undefined;
  const params = c.find((t) => t.tag === 0xa0);
  const curve = params && children(der, params)?.[0];
  const name = curve?.tag === OID ? CURVES[oidText(der, curve)] : undefined;
  return name ? `EC, ${name}` : 'EC';
}

/** OpenSSL's DSA key: version 0, then p, q, g, y, x. */
function dsa(der: Buffer): string | undefined {
  const c = topSequence(der);
  return c && c.length === 6 && smallInteger(der, c[0], 0) && c.every((t) => t.tag === INTEGER) ? 'DSA' : undefined;
}

/** PKCS#8 PrivateKeyInfo: version, AlgorithmIdentifier, the private key as an OCTET STRING. */
function pkcs8(der: Buffer): string | undefined {
  const c = topSequence(der);
  if (!c || c.length < 3 || !smallInteger(der, c[0], 0, 1) || c[1]!.tag !== SEQUENCE || c[2]!.tag !== OCTET_STRING || c[2]!.end - c[2]!.start < 16) return undefined;
  const algorithm = children(der, c[1]!);
  if (!algorithm?.[0] || algorithm[0].tag !== OID) return undefined;
  const oid = oidText(der, algorithm[0]);
  const name = ALGORITHMS[oid] ?? `algorithm ${oid}`;
  const curve = name === 'EC' && algorithm[1]?.tag === OID ? CURVES[oidText(der, algorithm[1])] : undefined;
  return curve ? `${name}, ${curve}` : name;
}

/** PKCS#8 EncryptedPrivateKeyInfo: AlgorithmIdentifier (PBES2, PKCS#12 PBE), the encrypted key. */
function encryptedPkcs8(der: Buffer): string | undefined {
  const c = topSequence(der);
  if (!c || c.length !== 2 || c[0]!.tag !== SEQUENCE || c[1]!.tag !== OCTET_STRING || c[1]!.end - c[1]!.start < 16) return undefined;
  const algorithm = children(der, c[0]!);
  if (!algorithm?.[0] || algorithm[0].tag !== OID) return undefined;
  const oid = oidText(der, algorithm[0]);
  return oid === '1.2.840.113549.1.5.13' ? 'PBES2' : oid.startsWith('1.2.840.113549.1.12.1.') ? 'PKCS#12 PBE' : oid.startsWith('1.2.840.113549.1.5.') ? 'PBES1' : `scheme ${oid}`;
}

/** A DER key of any of the kinds above: its verdict without the armor's label to go by. */
function derKey(der: Buffer, block: string): KeyVerdict | undefined {
  const p8 = pkcs8(der);
  if (p8) return { protected: false, label: `a private key (PKCS#8, ${p8})`, block };
  const p1 = pkcs1(der);
  if (p1) return { protected: false, label: `an RSA private key (PKCS#1, ${p1.slice(5)})`, block };
  const ec = sec1(der);
  if (ec) return { protected: false, label: `an EC private key (SEC1${ec.length > 2 ? `, ${ec.slice(4)}` : ''})`, block };
  const d = dsa(der);
  if (d) return { protected: false, label: 'a DSA private key', block };
  const encrypted = encryptedPkcs8(der);
  if (encrypted) return { protected: true, label: `a passphrase-protected private key (encrypted PKCS#8, ${encrypted})`, block };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// SSH wire format (OpenSSH keys, PuTTY blobs)

class SshReader {
  constructor(
    private readonly buf: Buffer,
    public pos = 0,
  ) {}
  get done(): boolean {
    return this.pos === this.buf.length;
  }
  u32(): number | undefined {
    if (this.pos + 4 > this.buf.length) return undefined;
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }
  bytes(): Buffer | undefined {
    const n = this.u32();
    if (n === undefined || this.pos + n > this.buf.length) return undefined;
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  text(): string | undefined {
    const v = this.bytes();
    return v && /^[\x20-\x7e]*$/.test(v.toString('latin1')) ? v.toString('latin1') : undefined;
  }
}

const OPENSSH_MAGIC = Buffer.from('openssh-key-v1\0', 'latin1');

/** An `openssh-key-v1` key (PROTOCOL.key). */
function opensshKey(data: Buffer, block: string): KeyVerdict | undefined {
  if (data.length < OPENSSH_MAGIC.length + 40 || !data.subarray(0, OPENSSH_MAGIC.length).equals(OPENSSH_MAGIC)) return undefined;
  const r = new SshReader(data, OPENSSH_MAGIC.length);
  const cipher = r.text();
  const kdf = r.text();
  const kdfOptions = r.bytes();
  const count = r.u32();
  if (cipher === undefined || kdf === undefined || !kdfOptions || count === undefined || count < 1 || count > 16) return undefined;
  const types: string[] = [];
  for (let i = 0; i < count; i++) {
    const publicKey = r.bytes();
    const type = publicKey && new SshReader(publicKey).text();
    if (!type) return undefined;
    types.push(type);
  }
  const secret = r.bytes();
  // An AEAD cipher (chacha20-poly1305, AES-GCM) puts its 16-byte tag after the encrypted part.
  const aead = /poly1305|gcm/.test(cipher);
  if (!secret || secret.length < 8 || !(r.done || (aead && data.length - r.pos === 16))) return undefined;
  const type = types.join(', ');
  if (cipher === 'none') {
    const p = new SshReader(secret);
    const check1 = p.u32();
    const check2 = p.u32();
    if (check1 === undefined || check1 !== check2 || p.text() !== types[0]) return undefined;
    return { protected: false, label: `an unencrypted OpenSSH private key (${type})`, block };
  }
  // Encrypted: the private part is whole cipher blocks (8 or 16 bytes).
  if (secret.length % 8 !== 0 || kdf === 'none') return undefined;
  return { protected: true, label: `a passphrase-protected OpenSSH private key (${type}, ${cipher}, ${kdf})`, block };
}

// ---------------------------------------------------------------------------------------------
// OpenPGP

const PGP_ALGORITHMS: Record<number, string> = { 1: 'RSA', 2: 'RSA', 3: 'RSA', 16: 'Elgamal', 17: 'DSA', 18: 'ECDH', 19: 'ECDSA', 20: 'Elgamal', 22: 'EdDSA', 25: 'X25519', 26: 'X448', 27: 'Ed25519', 28: 'Ed448' };

/** Length of the v4 public-key material of `algorithm` at `pos` (RFC 4880 5.5.2, RFC 6637, RFC 9580), or undefined. */
function pgpPublicLength(body: Buffer, pos: number, algorithm: number): number | undefined {
  let p = pos;
  const mpi = () => {
    if (p + 2 > body.length) return false;
    p += 2 + Math.ceil(body.readUInt16BE(p) / 8);
    return p <= body.length;
  };
  const counted = () => {
    if (p >= body.length) return false;
    p += 1 + body[p]!;
    return p <= body.length;
  };
  const fixed: Record<number, number> = { 25: 32, 26: 56, 27: 32, 28: 57 };
  let ok: boolean;
  if (algorithm in fixed) {
    p += fixed[algorithm]!;
    ok = p <= body.length;
  } else if (algorithm <= 3) ok = mpi() && mpi();
  else if (algorithm === 16 || algorithm === 20) ok = mpi() && mpi() && mpi();
  else if (algorithm === 17) ok = mpi() && mpi() && mpi() && mpi();
  else if (algorithm === 18) ok = counted() && mpi() && counted();
  else if (algorithm === 19 || algorithm === 22) ok = counted() && mpi();
  else return undefined;
  return ok ? p - pos : undefined;
}

type SecretState = 'plain' | 'protected' | 'stub';

/** What a secret-key packet holds (RFC 4880 5.5.3, RFC 9580 5.5.3). */
function pgpSecretPacket(body: Buffer): { state: SecretState; algorithm: string } | undefined {
  const version = body[0];
  if (version !== 4 && version !== 5 && version !== 6) return undefined;
  const algorithm = body[5]!;
  let pos = 6;
  if (version === 4) {
    const length = pgpPublicLength(body, pos, algorithm);
    if (length === undefined) return undefined;
    pos += length;
  } else {
    if (pos + 4 > body.length) return undefined;
    pos += 4 + body.readUInt32BE(pos);
  }
  if (pos >= body.length) return undefined;
  const name = PGP_ALGORITHMS[algorithm] ?? `algorithm ${algorithm}`;
  const usage = body[pos]!;
  if (usage === 0) {
    const secret = body.subarray(pos + 1);
    if (secret.length < 3) return undefined;
    if (version === 4) {
      // The two-octet checksum of an unprotected v4 secret: the sum of its octets.
      let sum = 0;
      for (let i = 0; i < secret.length - 2; i++) sum = (sum + secret[i]!) & 0xffff;
      if (sum !== secret.readUInt16BE(secret.length - 2)) return undefined;
    }
    return { state: 'plain', algorithm: name };
  }
  if (usage === 253 || usage === 254 || usage === 255) {
    // GnuPG's extension (S2K type 101, "GNU"): a stub whose secret is elsewhere (gnu-dummy, a smart card).
    const s2k = version === 4 ? pos + 2 : pos + 3;
    if (body[s2k] === 101 && body.toString('latin1', s2k + 2, s2k + 5) === 'GNU') return { state: 'stub', algorithm: name };
  }
  return { state: 'protected', algorithm: name };
}

/** The secret-key packets of an OpenPGP message; undefined when it is not one. */
function pgpKey(data: Buffer, block: string): KeyVerdict | undefined {
  const found: Array<{ state: SecretState; algorithm: string }> = [];
  let pos = 0;
  while (pos < data.length) {
    const first = data[pos]!;
    if (!(first & 0x80)) return undefined;
    let tag: number;
    let length: number;
    let start: number;
    if (first & 0x40) {
      tag = first & 0x3f;
      const o1 = data[pos + 1];
      if (o1 === undefined) return undefined;
      if (o1 < 192) [length, start] = [o1, pos + 2];
      else if (o1 < 224) [length, start] = [((o1 - 192) << 8) + (data[pos + 2] ?? 0) + 192, pos + 3];
      else if (o1 === 255 && pos + 6 <= data.length) [length, start] = [data.readUInt32BE(pos + 2), pos + 6];
      else break; // partial lengths are for data packets, not keys
    } else {
      tag = (first >> 2) & 0x0f;
      const type = first & 3;
      if (type === 0) [length, start] = [data[pos + 1] ?? 0, pos + 2];
      else if (type === 1 && pos + 3 <= data.length) [length, start] = [data.readUInt16BE(pos + 1), pos + 3];
      else if (type === 2 && pos + 5 <= data.length) [length, start] = [data.readUInt32BE(pos + 1), pos + 5];
      else [length, start] = [data.length - pos - 1, pos + 1];
    }
    if (start + length > data.length) return undefined;
    if (tag === 5 || tag === 7) {
      const packet = pgpSecretPacket(data.subarray(start, start + length));
      if (!packet) return undefined;
      found.push(packet);
    } else if (pos === 0) {
      return undefined; // a secret key starts with its primary key
    }
    pos = start + length;
  }
  const plain = found.filter((k) => k.state === 'plain');
  const kinds = (list: typeof found) => [...new Set(list.map((k) => k.algorithm))].join(', ');
  if (plain.length > 0) return { protected: false, label: `an OpenPGP secret key without a passphrase (${kinds(plain)})`, block };
  const guarded = found.filter((k) => k.state === 'protected');
  if (guarded.length > 0) return { protected: true, label: `a passphrase-protected OpenPGP secret key (${kinds(guarded)})`, block };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The entry points

/**
 * A private key from its armored text: `raw` starts with `-----BEGIN … PRIVATE KEY-----` (or its
 * encoded form) and holds at least the key that follows (up to MAX_KEY_TEXT characters).
 */
export function judgeArmoredKey(raw: string): KeyVerdict | undefined {
  const armor = readArmor(raw);
  if (!armor) return undefined;
  const { label, headers, body, block } = armor;
  if (label === 'OPENSSH PRIVATE KEY') return opensshKey(body, block);
  if (label === 'PGP PRIVATE KEY BLOCK') return pgpKey(body, block);
  // OpenSSL's legacy PEM encryption: the body is whole cipher blocks of ciphertext.
  if (/ENCRYPTED/i.test(headers.get('proc-type') ?? '')) {
    const cipher = /^([A-Z0-9-]+),[0-9A-Fa-f]{16,32}$/.exec(headers.get('dek-info') ?? '')?.[1];
    if (!cipher || body.length % 8 !== 0) return undefined;
    const what = label.replace(/ PRIVATE KEY$/, '');
    return { protected: true, label: `a passphrase-protected ${what === 'RSA' || what === 'EC' || what === 'DSA' ? `${what} ` : ''}private key (PEM encryption, ${cipher})`, block };
  }
  if (label === 'ENCRYPTED PRIVATE KEY') {
    const scheme = encryptedPkcs8(body);
    return scheme ? { protected: true, label: `a passphrase-protected private key (encrypted PKCS#8, ${scheme})`, block } : undefined;
  }
  if (label === 'RSA PRIVATE KEY') {
    const rsa = pkcs1(body);
    return rsa ? { protected: false, label: `an RSA private key (PKCS#1, ${rsa.slice(5)})`, block } : undefined;
  }
  if (label === 'EC PRIVATE KEY') {
    const ec = sec1(body);
    return ec ? { protected: false, label: `an EC private key (SEC1${ec.length > 2 ? `, ${ec.slice(4)}` : ''})`, block } : undefined;
  }
  if (label === 'DSA PRIVATE KEY') return dsa(body) ? { protected: false, label: 'a DSA private key', block } : undefined;
  if (label === 'PRIVATE KEY') {
    const info = pkcs8(body);
    return info ? { protected: false, label: `a private key (PKCS#8, ${info})`, block } : undefined;
  }
  // Other labels (`ANY PRIVATE KEY`, vendor names): whatever DER key the body is.
  return derKey(body, block);
}

/** Fields of an SSH blob, which must fill it exactly. */
function sshFields(blob: Buffer): Buffer[] | undefined {
  const r = new SshReader(blob);
  const out: Buffer[] = [];
  while (!r.done) {
    const field = r.bytes();
    if (!field) return undefined;
    out.push(field);
  }
  return out;
}

/** How many fields the private blob of a PuTTY key of each algorithm has (PuTTY's PPK format, appendix C). */
const PPK_PRIVATE_FIELDS: Record<string, number> = { 'ssh-rsa': 4, 'ssh-dss': 1, 'ssh-ed25519': 1, 'ssh-ed448': 1 };

/** A PuTTY private key file (`PuTTY-User-Key-File-2:` or `-3:`) from its text. */
export function judgePuttyKey(raw: string): KeyVerdict | undefined {
  // Written as a file, the text is read as it is; inside a string, unwrapped first.
  const text = (/^PuTTY-User-Key-File-[23]: [^\n]*\r?\nEncryption: /.test(raw) ? raw : unwrap(raw)).replace(/\r\n?/g, '\n');
  const head = /^PuTTY-User-Key-File-([23]): ([\w@.-]+)\nEncryption: ([\w-]+)\nComment: [^\n]*\nPublic-Lines: (\d{1,3})\n/.exec(text);
  if (!head) return undefined;
  const [, version, algorithm, encryption, publicCount] = head;
  const lines = text.slice(head[0].length).split('\n');
  const publicBlob = Buffer.from(lines.slice(0, Number(publicCount)).join(''), 'base64');
  let at = Number(publicCount);
  // Version 3 encrypted keys name their key derivation (Argon2) between the two blobs.
  while (at < lines.length && /^(?:Key-Derivation|Argon2-[\w]+): /.test(lines[at]!)) at++;
  const privateCount = /^Private-Lines: (\d{1,3})$/.exec(lines[at] ?? '')?.[1];
  if (!privateCount) return undefined;
  const privateText = lines.slice(at + 1, at + 1 + Number(privateCount)).join('');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(privateText) || !/^Private-MAC: [0-9a-f]{40,64}$/.test(lines[at + 1 + Number(privateCount)] ?? '')) return undefined;
  if (new SshReader(publicBlob).text() !== algorithm) return undefined;
  const privateBlob = Buffer.from(privateText, 'base64');
  const block = `PuTTY-User-Key-File-${version}: ${algorithm}\n${privateText}`;
  if (encryption === 'none') {
    const fields = sshFields(privateBlob);
    const expected = PPK_PRIVATE_FIELDS[algorithm!] ?? 1;
    if (!fields || fields.length !== expected || fields.some((f) => f.length === 0)) return undefined;
    return { protected: false, label: `an unencrypted PuTTY private key (${algorithm}, .ppk version ${version})`, block };
  }
  if (privateBlob.length === 0 || privateBlob.length % 16 !== 0) return undefined;
  return { protected: true, label: `a passphrase-protected PuTTY private key (${algorithm}, ${encryption})`, block };
}

/**
 * A key stored as a binary file: DER (PKCS#8, encrypted PKCS#8, PKCS#1, SEC1) that fills the file,
 * or a binary OpenPGP secret key (`gpg --export-secret-keys` without `--armor`).
 */
export function judgeBinaryKey(data: Buffer): KeyVerdict | undefined {
  if (data.length < 48 || data.length > 64 * 1024) return undefined;
  const block = data.toString('base64');
  if (data[0] === SEQUENCE) return derKey(data, block);
  const first = data[0]!;
  const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  if (first & 0x80 && tag === 5) return pgpKey(data, block);
  return undefined;
}
