/**
 * Key material and credential files made by the real tools when a test file runs, never committed:
 * `ssh-keygen` (ed25519, rsa, ecdsa; with and without a passphrase; its PEM and PKCS#8 exports; its
 * public outputs as look-alikes), `openssl` (genpkey, genrsa, ecparam; encrypted forms; DER;
 * certificates and public keys as look-alikes), `gpg` (in a throwaway GNUPGHOME), node's
 * `crypto.generateKeyPairSync` in each export format (PEM, DER, JWK), `kubectl create secret …
 * --dry-run=client -o yaml`, and `docker login` against a registry served on loopback (the CLI logs
 * in client-side when no engine answers, and writes config.json as users have it).
 *
 * PuTTY's `puttygen` is not part of this machine's tools: .ppk files are written here from PuTTY's
 * documented format (appendix C of its manual: the blobs, the MAC, v2's SHA-1 key derivation for
 * aes256-cbc) with keys from node's crypto. When `puttygen` is installed the test checks that it
 * reads each file back to the same public key; otherwise it says it could not.
 *
 * Everything is made concurrently, once per test file (each test file is its own process). RSA keys
 * have 1024 bits and passphrases few KDF rounds: the formats are the same, and making them is fast.
 */
import { execFile as execFileCallback, spawn } from 'node:child_process';
import { createCipheriv, createHash, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFile = promisify(execFileCallback);

/** One file a tool wrote: what a scan must say about it. */
export interface Sample {
  /** "ssh-keygen -t ed25519 (no passphrase)". */
  what: string;
  /** File name to commit it under. */
  file: string;
  content: string | Buffer;
  /** `error`: a live credential; `warning`: protected (encrypted key, password hash); `clean`: a look-alike. */
  expect: 'error' | 'warning' | 'clean';
  /** The secret body: no run of 8 of its characters may appear in any output. */
  body?: string;
}

export interface KeyMaterial {
  keys: Sample[];
  /** Manifests and credential files (kubectl, docker login, .pgpass …) and their look-alikes. */
  files: Sample[];
  /** Whether puttygen read every generated .ppk back (undefined: puttygen is not installed). */
  puttygenChecked?: boolean;
  /** Tools that were not there (the samples they would make are missing, and the test says so). */
  missing: string[];
}

/** The base64 body of an armored key (what a report must never show). */
export const armorBody = (text: string) =>
  text
    .split('\n')
    .filter((l) => !/^-----|^[A-Za-z-]+: |^=....$/.test(l.trim()))
    .join('')
    .replace(/\s+/g, '');

async function has(tool: string): Promise<boolean> {
  try {
    await execFile('sh', ['-c', `command -v ${tool}`]);
    return true;
  } catch {
    return false;
  }
}

let cached: Promise<KeyMaterial> | undefined;

/** Everything, made once per process. */
export function keyMaterial(): Promise<KeyMaterial> {
  cached ??= make();
  return cached;
}

async function make(): Promise<KeyMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'prg-keys-'));
  const missing: string[] = [];
  try {
    const [ssh, openssl, hashes, gpg, kube, docker] = await Promise.all([
      has('ssh-keygen').then((ok) => (ok ? sshKeys(dir) : (missing.push('ssh-keygen'), []))),
      has('openssl').then((ok) => (ok ? opensslKeys(dir) : (missing.push('openssl'), []))),
      has('openssl').then((ok) => (ok ? passwordHashes() : [])),
      has('gpg').then((ok) => (ok ? gpgKeys(dir) : (missing.push('gpg'), []))),
      has('kubectl').then((ok) => (ok ? kubectlFiles(dir) : (missing.push('kubectl'), []))),
      has('docker').then((ok) => (ok ? dockerLogin(dir) : (missing.push('docker'), []))),
    ]);
    const putty = puttyKeys();
    const puttygenChecked = (await has('puttygen')) ? await checkWithPuttygen(dir, putty.checks) : undefined;
    return { keys: [...ssh, ...openssl, ...gpg, ...nodeKeys(), ...putty.samples], files: [...kube, ...docker, ...credentialFiles(), ...hashes], puttygenChecked, missing };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

async function sshKeys(dir: string): Promise<Sample[]> {
  const passphrase = 'correct horse battery';
  const specs: Array<[string, string[], boolean]> = [
    ['ed25519', ['-t', 'ed25519'], false],
    ['rsa', ['-t', 'rsa', '-b', '1024'], false],
    ['ecdsa', ['-t', 'ecdsa'], false],
    ['ed25519-pass', ['-t', 'ed25519'], true],
    ['rsa-pass', ['-t', 'rsa', '-b', '1024'], true],
    ['ecdsa-pass', ['-t', 'ecdsa'], true],
    ['rsa-pem', ['-t', 'rsa', '-b', '1024', '-m', 'PEM'], false],
    ['ecdsa-pem-pass', ['-t', 'ecdsa', '-m', 'PEM'], true],
    ['rsa-pkcs8', ['-t', 'rsa', '-b', '1024', '-m', 'PKCS8'], false],
    ['ecdsa-pkcs8-pass', ['-t', 'ecdsa', '-m', 'PKCS8'], true],
  ];
  const out = await Promise.all(
    specs.map(async ([name, args, withPassphrase]) => {
      const path = join(dir, `id_${name}`);
      // `-a 4`: fewer bcrypt rounds for the passphrase than the default 16 (the same format, faster to make).
      await execFile('ssh-keygen', ['-q', ...args, '-a', '4', '-N', withPassphrase ? passphrase : '', '-C', `deploy@${name}`, '-f', path]);
      const text = await readFile(path, 'utf8');
      const samples: Sample[] = [
        { what: `ssh-keygen ${args.join(' ')}${withPassphrase ? ' with a passphrase' : ''}`, file: `deploy/keys/id_${name}`, content: text, expect: withPassphrase ? 'warning' : 'error', body: armorBody(text) },
        { what: `ssh-keygen ${args.join(' ')}: its .pub`, file: `deploy/keys/id_${name}.pub`, content: await readFile(`${path}.pub`, 'utf8'), expect: 'clean' },
      ];
      if (name === 'ed25519') {
        const { stdout } = await execFile('ssh-keygen', ['-y', '-f', path]);
        samples.push({ what: 'ssh-keygen -y (public key from a private one)', file: 'docs/deploy-key.txt', content: `Add this deploy key to the repository:\n\n${stdout}`, expect: 'clean' });
        const rfc4716 = await execFile('ssh-keygen', ['-e', '-f', `${path}.pub`]);
        samples.push({ what: 'ssh-keygen -e (RFC 4716 public key)', file: 'deploy/keys/id_ed25519.rfc4716', content: rfc4716.stdout, expect: 'clean' });
      }
      return samples;
    }),
  );
  return out.flat();
}

async function opensslKeys(dir: string): Promise<Sample[]> {
  const run = async (name: string, args: string[]) => {
    const path = join(dir, name);
    await execFile('openssl', [...args.map((a) => a.replace('{out}', path))]);
    return readFile(path);
  };
  const specs: Array<[string, string, string[], Sample['expect']]> = [
    ['openssl genpkey -algorithm ed25519', 'certs/signing-ed25519.pem', ['genpkey', '-algorithm', 'ed25519', '-out', '{out}'], 'error'],
    ['openssl genrsa -traditional (PKCS#1)', 'certs/server-rsa.key', ['genrsa', '-traditional', '-out', '{out}', '1024'], 'error'],
    ['openssl genrsa (PKCS#8)', 'certs/server.key', ['genrsa', '-out', '{out}', '1024'], 'error'],
    ['openssl ecparam -genkey (SEC1, with EC PARAMETERS)', 'certs/ec.key', ['ecparam', '-name', 'prime256v1', '-genkey', '-out', '{out}'], 'error'],
    ['openssl genpkey EC -aes256 (encrypted PKCS#8)', 'certs/ec-encrypted.pem', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384', '-aes256', '-pass', 'pass:correct horse', '-out', '{out}'], 'warning'],
    ['openssl genrsa -traditional -aes256 (PEM encryption)', 'certs/legacy-encrypted.key', ['genrsa', '-traditional', '-aes256', '-passout', 'pass:correct horse', '-out', '{out}', '1024'], 'warning'],
    ['openssl genpkey x25519', 'certs/kex-x25519.pem', ['genpkey', '-algorithm', 'x25519', '-out', '{out}'], 'error'],
  ];
  const samples = await Promise.all(
    specs.map(async ([what, file, args, expect]): Promise<Sample> => {
      const text = (await run(file.replace(/\//g, '_'), args)).toString();
      return { what, file, content: text, expect, body: armorBody(text.slice(text.search(/-----BEGIN [A-Z ]*PRIVATE/))) };
    }),
  );
  // Look-alikes: a certificate, a public key, EC parameters alone; and the key as DER (binary).
  const keyPath = join(dir, 'lookalike.key');
  await execFile('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', keyPath, '-subj', '/CN=app.acme-saas.com', '-days', '1', '-out', join(dir, 'cert.pem')]);
  await execFile('openssl', ['pkey', '-in', keyPath, '-pubout', '-out', join(dir, 'public.pem')]);
  await execFile('openssl', ['pkey', '-in', keyPath, '-outform', 'DER', '-out', join(dir, 'key.der')]);
  await execFile('openssl', ['ecparam', '-name', 'prime256v1', '-out', join(dir, 'params.pem')]);
  const der = await readFile(join(dir, 'key.der'));
  samples.push(
    { what: 'openssl req -x509 (a certificate)', file: 'certs/app.crt', content: await readFile(join(dir, 'cert.pem'), 'utf8'), expect: 'clean' },
    { what: 'openssl pkey -pubout (a public key)', file: 'certs/app.pub.pem', content: await readFile(join(dir, 'public.pem'), 'utf8'), expect: 'clean' },
    { what: 'openssl ecparam (parameters only)', file: 'certs/params.pem', content: await readFile(join(dir, 'params.pem'), 'utf8'), expect: 'clean' },
    { what: 'openssl pkey -outform DER (a binary key file)', file: 'certs/app.der', content: der, expect: 'error', body: der.toString('base64') },
  );
  return samples;
}

/** htpasswd lines as `openssl passwd` hashes them (Apache's apr1 MD5, SHA-512 crypt). */
async function passwordHashes(): Promise<Sample[]> {
  const [apr1, sha512] = await Promise.all([execFile('openssl', ['passwd', '-apr1', 'correct horse battery']), execFile('openssl', ['passwd', '-6', 'correct horse battery'])]);
  const apr1Hash = apr1.stdout.trim();
  const sha512Hash = sha512.stdout.trim();
  return [
    { what: 'an .htpasswd line (openssl passwd -apr1)', file: 'nginx/.htpasswd', content: `admin:${apr1Hash}\n`, expect: 'warning', body: apr1Hash.slice(6) },
    { what: 'a shadow-style line (openssl passwd -6)', file: 'deploy/rootfs/etc/shadow', content: `root:${sha512Hash}:19700:0:99999:7:::\n`, expect: 'warning', body: sha512Hash.slice(3) },
  ];
}

async function gpgKeys(dir: string): Promise<Sample[]> {
  const home = join(dir, 'gnupg');
  await execFile('mkdir', ['-m', '700', home]);
  // The agent calibrates its passphrase hashing to 100 ms of this machine, which takes seconds on a
  // busy one: a fixed small count protects the key the same way, faster.
  await writeFile(join(home, 'gpg-agent.conf'), 's2k-count 65536\n');
  const env = { ...process.env, GNUPGHOME: home };
  const gpg = (args: string[], input?: string) =>
    new Promise<Buffer>((resolve, reject) => {
      const child = spawn('gpg', ['--batch', '--no-tty', ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
      const chunks: Buffer[] = [];
      child.stdout.on('data', (c: Buffer) => chunks.push(c));
      child.stderr.resume();
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`gpg ${args.join(' ')} exited with ${code}`))));
      child.stdin.end(input ?? '');
    });
  try {
    await gpg(['--gen-key'], ['%no-protection', 'Key-Type: eddsa', 'Key-Curve: ed25519', 'Subkey-Type: ecdh', 'Subkey-Curve: cv25519', 'Name-Real: Release Bot', 'Name-Email: release@acme-saas.com', 'Expire-Date: 0', '%commit', ''].join('\n'));
    await gpg(['--gen-key'], ['%no-protection', 'Key-Type: RSA', 'Key-Length: 1024', 'Name-Real: Backup Bot', 'Name-Email: backup@acme-saas.com', 'Expire-Date: 0', '%commit', ''].join('\n'));
    await gpg(['--pinentry-mode', 'loopback', '--passphrase', 'correct horse battery', '--quick-gen-key', 'Signer <signer@acme-saas.com>', 'ed25519', 'sign', 'never']);
    const plain = (await gpg(['--export-secret-keys', '--armor', 'release@acme-saas.com'])).toString();
    const rsa = (await gpg(['--export-secret-keys', '--armor', 'backup@acme-saas.com'])).toString();
    const binary = await gpg(['--export-secret-keys', 'release@acme-saas.com']);
    const protectedKey = (await gpg(['--pinentry-mode', 'loopback', '--passphrase', 'correct horse battery', '--export-secret-keys', '--armor', 'signer@acme-saas.com'])).toString();
    const publicKey = (await gpg(['--export', '--armor', 'release@acme-saas.com'])).toString();
    return [
      { what: 'gpg --export-secret-keys --armor (ed25519 + cv25519, %no-protection)', file: 'deploy/release-signing.asc', content: plain, expect: 'error', body: armorBody(plain) },
      { what: 'gpg --export-secret-keys --armor (RSA 1024, %no-protection)', file: 'deploy/backup.asc', content: rsa, expect: 'error', body: armorBody(rsa) },
      { what: 'gpg --export-secret-keys (binary)', file: 'deploy/release-signing.gpg', content: binary, expect: 'error', body: binary.toString('base64') },
      { what: 'gpg --export-secret-keys --armor (with a passphrase)', file: 'deploy/signer.asc', content: protectedKey, expect: 'warning', body: armorBody(protectedKey) },
      { what: 'gpg --export --armor (a public key)', file: 'deploy/release-signing.pub.asc', content: publicKey, expect: 'clean' },
    ];
  } finally {
    await execFile('gpgconf', ['--kill', 'gpg-agent'], { env }).catch(() => undefined);
  }
}

function nodeKeys(): Sample[] {
  const out: Sample[] = [];
  const pem = (what: string, file: string, text: string, expect: Sample['expect']) => out.push({ what: `crypto.generateKeyPairSync ${what}`, file, content: text, expect, body: expect === 'clean' ? undefined : armorBody(text) });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ed = generateKeyPairSync('ed25519');
  const pass = { cipher: 'aes-256-cbc', passphrase: 'correct horse battery' };
  pem('rsa pkcs1 pem', 'keys/node-rsa-pkcs1.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString(), 'error');
  pem('rsa pkcs8 pem', 'keys/node-rsa-pkcs8.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'error');
  pem('rsa pkcs1 pem with a cipher', 'keys/node-rsa-pkcs1-enc.pem', rsa.privateKey.export({ type: 'pkcs1', format: 'pem', ...pass }).toString(), 'warning');
  pem('rsa pkcs8 pem with a cipher', 'keys/node-rsa-pkcs8-enc.pem', rsa.privateKey.export({ type: 'pkcs8', format: 'pem', ...pass }).toString(), 'warning');
  pem('ec sec1 pem', 'keys/node-ec-sec1.pem', ec.privateKey.export({ type: 'sec1', format: 'pem' }).toString(), 'error');
  pem('ec sec1 pem with a cipher', 'keys/node-ec-sec1-enc.pem', ec.privateKey.export({ type: 'sec1', format: 'pem', ...pass }).toString(), 'warning');
  pem('ed25519 pkcs8 pem', 'keys/node-ed25519.pem', ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'error');
  pem('ed448 pkcs8 pem', 'keys/node-ed448.pem', generateKeyPairSync('ed448').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'error');
  pem('rsa-pss pkcs8 pem', 'keys/node-rsa-pss.pem', generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), 'error');
  pem('rsa spki pem (public)', 'keys/node-rsa.pub.pem', rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'clean');
  pem('rsa pkcs1 pem (public)', 'keys/node-rsa-pkcs1.pub.pem', rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString(), 'clean');
  for (const [name, key, type] of [['rsa pkcs8', rsa, 'pkcs8'], ['rsa pkcs1', rsa, 'pkcs1'], ['ec sec1', ec, 'sec1'], ['ed25519 pkcs8', ed, 'pkcs8']] as const) {
    const der = key.privateKey.export({ type, format: 'der' } as never) as Buffer;
    out.push({ what: `crypto.generateKeyPairSync ${name} der`, file: `keys/node-${name.replace(' ', '-')}.der`, content: der, expect: 'error', body: der.toString('base64') });
  }
  const encryptedDer = rsa.privateKey.export({ type: 'pkcs8', format: 'der', ...pass });
  out.push({ what: 'crypto.generateKeyPairSync rsa pkcs8 der with a cipher', file: 'keys/node-rsa-enc.der', content: encryptedDer, expect: 'warning', body: encryptedDer.toString('base64') });
  for (const [name, key] of [['rsa', rsa], ['ec', ec], ['ed25519', ed]] as const) {
    const jwk = key.privateKey.export({ format: 'jwk' });
    out.push({ what: `crypto.generateKeyPairSync ${name} jwk`, file: `keys/node-${name}.jwk.json`, content: `${JSON.stringify(jwk, null, 2)}\n`, expect: 'error', body: jwk.d });
    out.push({ what: `crypto.generateKeyPairSync ${name} jwk (public)`, file: `keys/node-${name}.pub.jwk.json`, content: `${JSON.stringify(key.publicKey.export({ format: 'jwk' }), null, 2)}\n`, expect: 'clean' });
  }
  // A service-account file as Google Cloud writes it: the PEM inside JSON with `\n` escapes.
  const account = { type: 'service_account', project_id: 'acme-prod', private_key_id: randomBytes(20).toString('hex'), private_key: rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), client_email: 'deployer@acme-prod.iam.gserviceaccount.com', client_id: '1234567890' };
  out.push({ what: 'a Google Cloud service-account JSON (PKCS#8 with \\n escapes)', file: 'deploy/gcp-sa.json', content: `${JSON.stringify(account, null, 2)}\n`, expect: 'error', body: armorBody(account.private_key) });
  // Documentation: a truncated body, an example with `...`.
  const truncated = ed.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString().split('\n');
  out.push({ what: 'a README with a truncated key', file: 'docs/keys.md', content: `A key looks like this:\n\n\`\`\`\n${truncated[0]}\n${truncated[1]!.slice(0, 30)}\n...\n${truncated.at(-2)}\n\`\`\`\n`, expect: 'clean' });
  return out;
}

// ---------------------------------------------------------------------------------------------
// PuTTY .ppk, from the format's documentation

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const sshString = (data: Buffer | string) => {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([u32(bytes.length), bytes]);
};
/** An SSH mpint from a big-endian magnitude (base64url from a JWK): minimal, a 0 byte first when the high bit is set. */
const mpint = (base64url: string) => {
  let bytes = Buffer.from(base64url, 'base64url');
  while (bytes.length > 1 && bytes[0] === 0) bytes = bytes.subarray(1);
  return sshString(bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
};
const wrap64 = (b64: string) => b64.match(/.{1,64}/g)!;

/** The public and private blobs of a new key (PuTTY's manual, C.3: RSA d, p, q, iqmp; ECDSA the scalar; Ed25519 the 32-byte seed). */
function ppkBlobs(kind: 'ed25519' | 'rsa' | 'ecdsa'): { algorithm: string; publicBlob: Buffer; privateBlob: Buffer } {
  if (kind === 'ed25519') {
    const jwk = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    return { algorithm: 'ssh-ed25519', publicBlob: Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.from(jwk.x!, 'base64url'))]), privateBlob: sshString(Buffer.from(jwk.d!, 'base64url')) };
  }
  if (kind === 'rsa') {
    const jwk = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'jwk' });
    return {
      algorithm: 'ssh-rsa',
      publicBlob: Buffer.concat([sshString('ssh-rsa'), mpint(jwk.e!), mpint(jwk.n!)]),
      privateBlob: Buffer.concat([mpint(jwk.d!), mpint(jwk.p!), mpint(jwk.q!), mpint(jwk.qi!)]),
    };
  }
  const jwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x!, 'base64url'), Buffer.from(jwk.y!, 'base64url')]);
  return { algorithm: 'ecdsa-sha2-nistp256', publicBlob: Buffer.concat([sshString('ecdsa-sha2-nistp256'), sshString('nistp256'), sshString(point)]), privateBlob: mpint(jwk.d!) };
}

/**
 * A .ppk file: version 3 unencrypted (HMAC-SHA-256 with an empty key), version 2 unencrypted
 * (HMAC-SHA-1 keyed by SHA-1 of "putty-private-key-file-mac-key"), or version 2 with aes256-cbc
 * (key: SHA-1 of 0,0,0,0 + passphrase and of 0,0,0,1 + passphrase; IV 0; the blob padded to 16 bytes,
 * the MAC over the padded plaintext, keyed with the passphrase).
 */
function ppk(version: 2 | 3, kind: 'ed25519' | 'rsa' | 'ecdsa', passphrase?: string): { text: string; publicBase64: string; privateBase64: string } {
  const { algorithm, publicBlob, privateBlob } = ppkBlobs(kind);
  const encryption = passphrase ? 'aes256-cbc' : 'none';
  const comment = `${kind}-key-20261201`;
  let plain = privateBlob;
  let stored = privateBlob;
  if (passphrase) {
    const pad = (16 - (privateBlob.length % 16)) % 16;
    plain = Buffer.concat([privateBlob, createHash('sha1').update(privateBlob).digest().subarray(0, pad)]);
    const key = Buffer.concat([createHash('sha1').update(Buffer.concat([u32(0), Buffer.from(passphrase)])).digest(), createHash('sha1').update(Buffer.concat([u32(1), Buffer.from(passphrase)])).digest()]).subarray(0, 32);
    const cipher = createCipheriv('aes-256-cbc', key, Buffer.alloc(16));
    cipher.setAutoPadding(false);
    stored = Buffer.concat([cipher.update(plain), cipher.final()]);
  }
  const macData = Buffer.concat([sshString(algorithm), sshString(encryption), sshString(comment), sshString(publicBlob), sshString(plain)]);
  const mac =
    version === 3
      ? createHmac('sha256', Buffer.alloc(0)).update(macData).digest('hex')
      : createHmac('sha1', createHash('sha1').update(`putty-private-key-file-mac-key${passphrase ?? ''}`).digest()).update(macData).digest('hex');
  const publicLines = wrap64(publicBlob.toString('base64'));
  const privateLines = wrap64(stored.toString('base64'));
  const text = [
    `PuTTY-User-Key-File-${version}: ${algorithm}`,
    `Encryption: ${encryption}`,
    `Comment: ${comment}`,
    `Public-Lines: ${publicLines.length}`,
    ...publicLines,
    `Private-Lines: ${privateLines.length}`,
    ...privateLines,
    `Private-MAC: ${mac}`,
    '',
  ].join('\n');
  return { text, publicBase64: publicBlob.toString('base64'), privateBase64: stored.toString('base64') };
}

interface PuttyCheck {
  text: string;
  publicBase64: string;
  passphrase?: string;
}

function puttyKeys(): { samples: Sample[]; checks: PuttyCheck[] } {
  const samples: Sample[] = [];
  const checks: PuttyCheck[] = [];
  const specs: Array<[2 | 3, 'ed25519' | 'rsa' | 'ecdsa', string | undefined]> = [
    [3, 'ed25519', undefined],
    [3, 'rsa', undefined],
    [3, 'ecdsa', undefined],
    [2, 'ed25519', undefined],
    [2, 'rsa', 'correct horse battery'],
  ];
  for (const [version, kind, passphrase] of specs) {
    const { text, publicBase64, privateBase64 } = ppk(version, kind, passphrase);
    samples.push({ what: `PuTTY .ppk v${version} ${kind}${passphrase ? ' aes256-cbc' : ''}`, file: `deploy/putty-${kind}-v${version}${passphrase ? '-enc' : ''}.ppk`, content: text, expect: passphrase ? 'warning' : 'error', body: privateBase64 });
    checks.push({ text, publicBase64, passphrase });
  }
  return { samples, checks };
}

/** Whether puttygen reads each generated file back to the public key it was made from. */
async function checkWithPuttygen(dir: string, checks: PuttyCheck[]): Promise<boolean> {
  const results = await Promise.all(
    checks.map(async ({ text, publicBase64, passphrase }, i) => {
      const path = join(dir, `check-${i}.ppk`);
      await writeFile(path, text);
      const args = [path, '-O', 'public-openssh'];
      if (passphrase) {
        await writeFile(`${path}.pass`, passphrase);
        args.push('--old-passphrase', `${path}.pass`);
      }
      try {
        // puttygen checks the MAC (and decrypts) before it prints the public key.
        const { stdout } = await execFile('puttygen', args);
        return stdout.split(' ')[1] === publicBase64;
      } catch {
        return false;
      }
    }),
  );
  return results.every(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Manifests and credential files

const live = (...parts: string[]) => parts.join('_');
const alnum = (n: number) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join('') + 'aZ9';
};

async function kubectlFiles(dir: string): Promise<Sample[]> {
  const stripe = live('sk', 'live', `51${alnum(96)}`);
  const dbPassword = alnum(21);
  const nextauth = randomBytes(32).toString('base64');
  const registryToken = randomBytes(20).toString('hex');
  const kubectl = async (...args: string[]) => (await execFile('kubectl', ['create', 'secret', ...args, '--dry-run=client', '-o', 'yaml'])).stdout;
  const keyPath = join(dir, 'tls.key');
  const certPath = join(dir, 'tls.crt');
  await execFile('openssl', ['req', '-x509', '-newkey', 'rsa:1024', '-nodes', '-keyout', keyPath, '-subj', '/CN=app.acme-saas.com', '-days', '1', '-out', certPath]);
  const tlsKey = await readFile(keyPath, 'utf8');
  const [generic, registry, tls, placeholder] = await Promise.all([
    kubectl('generic', 'app-secrets', `--from-literal=STRIPE_SECRET_KEY=${stripe}`, `--from-literal=DATABASE_URL=postgresql://app:${dbPassword}@db.acme-saas.com:5432/app`, `--from-literal=NEXTAUTH_SECRET=${nextauth}`, '--from-literal=LOG_LEVEL=info'),
    kubectl('docker-registry', 'regcred', '--docker-server=ghcr.io', '--docker-username=deploybot', `--docker-password=${registryToken}`),
    kubectl('tls', 'web-tls', `--cert=${certPath}`, `--key=${keyPath}`),
    kubectl('generic', 'app-config', '--from-literal=NEXTAUTH_SECRET=changeme', '--from-literal=DATABASE_URL=postgresql://postgres:postgres@postgres:5432/app', '--from-literal=STRIPE_SECRET_KEY=sk_test_placeholder'),
  ]);
  const helm = [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: {{ include "app.fullname" . }}',
    'type: Opaque',
    'data:',
    '  {{- if .Values.stripe.enabled }}',
    '  STRIPE_SECRET_KEY: {{ .Values.stripe.secretKey | b64enc | quote }}',
    '  {{- end }}',
    `  NEXTAUTH_SECRET: ${Buffer.from(randomBytes(24).toString('base64')).toString('base64')}`,
    '',
  ].join('\n');
  const kustomization = ['apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'secretGenerator:', '  - name: app-env', '    literals:', `      - STRIPE_WEBHOOK_SECRET=${live('whsec', alnum(29))}`, `      - SMTP_PASSWORD=${alnum(18)}`, '      - LOG_LEVEL=debug', ''].join('\n');
  return [
    { what: 'kubectl create secret generic (Stripe key, database URL, NEXTAUTH_SECRET)', file: 'k8s/app-secrets.yaml', content: generic, expect: 'error', body: stripe.slice(8) },
    { what: 'kubectl create secret docker-registry', file: 'k8s/regcred.yaml', content: registry, expect: 'error', body: registryToken },
    { what: 'kubectl create secret tls', file: 'k8s/web-tls.yaml', content: tls, expect: 'error', body: armorBody(tlsKey) },
    { what: 'kubectl create secret generic with placeholders and local defaults', file: 'k8s/app-config.yaml', content: placeholder, expect: 'clean' },
    { what: 'a Secret whose data is <base64> placeholders', file: 'k8s/secret.example.yaml', content: 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: app\ndata:\n  STRIPE_SECRET_KEY: <base64>\n  DATABASE_URL: <base64-encoded DATABASE_URL>\n', expect: 'clean' },
    { what: 'a Helm template Secret with a literal base64 NEXTAUTH_SECRET', file: 'charts/app/templates/secret.yaml', content: helm, expect: 'error' },
    { what: 'a kustomize secretGenerator with literals', file: 'k8s/overlays/prod/kustomization.yaml', content: kustomization, expect: 'error' },
  ];
}

async function dockerLogin(dir: string): Promise<Sample[]> {
  // A registry that accepts any Basic credential, as `docker login` checks one (client-side: no engine here).
  const server = createServer((req, res) => {
    const headers = { 'docker-distribution-api-version': 'registry/2.0' };
    if (!req.url?.startsWith('/v2/')) return void res.writeHead(404, headers).end();
    if (!req.headers.authorization) return void res.writeHead(401, { ...headers, 'www-authenticate': 'Basic realm="registry"' }).end();
    res.writeHead(200, { ...headers, 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const token = `dckr_pat_${alnum(24)}`;
  const config = join(dir, 'docker');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('docker', ['login', `127.0.0.1:${port}`, '--username', 'deploybot', '--password-stdin'], { env: { ...process.env, DOCKER_CONFIG: config, DOCKER_HOST: `unix://${join(dir, 'no-engine.sock')}` }, stdio: ['pipe', 'ignore', 'ignore'] });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`docker login exited with ${code}`))));
      child.stdin.end(token);
    });
  } finally {
    server.close();
  }
  const written = await readFile(join(config, 'config.json'), 'utf8');
  const helper = '{\n\t"auths": {\n\t\t"ghcr.io": {}\n\t},\n\t"credsStore": "desktop"\n}';
  return [
    { what: 'docker login (config.json)', file: 'ci/docker/config.json', content: written, expect: 'error', body: token.slice(9) },
    { what: 'a Docker config that uses a credential store', file: 'ci/docker-helper/config.json', content: helper, expect: 'clean' },
  ];
}

function credentialFiles(): Sample[] {
  const pgPassword = alnum(20);
  const netrcToken = randomBytes(16).toString('hex').replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
  const gitToken = `glpat-${alnum(17)}`;
  const sessionToken = `IQoJb3JpZ2luX2VjE${randomBytes(300).toString('base64')}`;
  const npmPassword = alnum(16);
  const yarnToken = randomBytes(18).toString('hex');
  return [
    { what: '.pgpass with a password', file: 'ops/.pgpass', content: `# hostname:port:database:username:password\ndb.acme-saas.com:5432:app:app:${pgPassword}\nlocalhost:5432:*:postgres:postgres\n`, expect: 'error', body: pgPassword },
    { what: '.pgpass with * as password', file: 'ops/dev/.pgpass', content: '*:*:*:app:*\nlocalhost:5432:app:postgres:postgres\n', expect: 'clean' },
    { what: 'a pgpass file by content', file: 'ops/pg-credentials', content: `db-replica.acme-saas.com:5432:*:readonly:${alnum(16)}\n`, expect: 'error' },
    { what: '.netrc with a password', file: 'ci/.netrc', content: `machine api.heroku.com\n  login deploy@acme-saas.com\n  password ${netrcToken}\n`, expect: 'error', body: netrcToken },
    { what: '.netrc for a documentation host', file: 'docs/example/.netrc', content: 'machine example.com login user password hunter2secret\n', expect: 'clean' },
    { what: '.git-credentials with a token', file: 'ci/.git-credentials', content: `https://deploybot:${gitToken}@gitlab.acme-saas.com\n`, expect: 'error', body: gitToken.slice(6) },
    { what: 'AWS credentials with a session token', file: 'ops/.aws/credentials', content: `[ci]\naws_access_key_id = ASIA${alnum(13).toUpperCase().replace(/[^A-Z2-7]/g, 'Q').slice(0, 16)}\naws_session_token = ${sessionToken}\n`, expect: 'error', body: sessionToken.slice(20) },
    { what: '.npmrc with _auth (base64 user:password)', file: 'packages/ui/.npmrc', content: `//npm.example.test/:_auth=${Buffer.from(`ci:${npmPassword}`).toString('base64')}\nalways-auth=true\n`, expect: 'error', body: npmPassword },
    { what: '.npmrc reading the token from the environment', file: 'packages/api/.npmrc', content: '//npm.example.test/:_authToken=${NPM_TOKEN}\n', expect: 'clean' },
    { what: '.yarnrc.yml with npmAuthToken', file: '.yarnrc.yml', content: `nodeLinker: node-modules\nnpmRegistries:\n  "//npm.example.test":\n    npmAuthToken: "${yarnToken}"\n`, expect: 'error', body: yarnToken },
    { what: 'a seed with a bcrypt hash in a field', file: 'prisma/seed.ts', content: `await prisma.user.create({ data: { email: 'demo@acme-saas.com', password: '$2b$10$${alnum(50).slice(0, 53)}' } });\n`, expect: 'clean' },
  ];
}
