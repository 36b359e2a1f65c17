/**
 * The structured readers of the secret scanner, case by case and fast (keys from node's crypto; the
 * real tools' output is in __tests__/rules/security/committed-secrets-real-tools.test.ts): how a
 * private key's armor is unwrapped and its structure read, how manifests and Docker configs are
 * decoded, and how credential files are recognised by name and by content.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { credentialFileKind, credentialFileValues, sniffCredentialFile } from '../../../src/analysis/secrets/credential-files.js';
import { manifestValues } from '../../../src/analysis/secrets/encoded-contexts.js';
import { judgeArmoredKey, judgeBinaryKey } from '../../../src/analysis/secrets/private-keys.js';
import { scanText } from '../../../src/analysis/secrets/scanner.js';
import { scanContext } from '../../../src/analysis/secrets/worker.js';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const pkcs8 = ec.export({ type: 'pkcs8', format: 'pem' }).toString();
const ctx = scanContext({ cwd: '/', prefix: '', needles: [], localDefaults: [] });
const scan = (path: string, text: string) => scanText(ctx, path, Buffer.from(text)).map((h) => `${h.line} ${h.kind} ${h.label}: ${h.masked}`);

test('a PEM key is read through every way text carries it; the verdict is the same', () => {
  const lines = pkcs8.trim().split('\n');
  const forms: Record<string, string> = {
    'as written': pkcs8,
    'CRLF line ends': pkcs8.replace(/\n/g, '\r\n'),
    'JSON \\n escapes': JSON.stringify(pkcs8).slice(1, -1),
    'JSON twice escaped': JSON.stringify(JSON.stringify(pkcs8)).slice(3, -3),
    'URL-encoded': encodeURIComponent(pkcs8),
    'JS concatenation': lines.map((l) => `'${l}\\n'`).join(' +\n  '),
    'an array of lines': lines.map((l) => `"${l}",`).join('\n  '),
    'a YAML block scalar': lines.map((l) => `    ${l}`).join('\n').trimStart(),
  };
  for (const [name, text] of Object.entries(forms)) {
    // The scanner hands over the text from the header on, as the shape's anchor found it.
    assert.equal(judgeArmoredKey(text.slice(text.indexOf('-----BEGIN')))?.label, 'a private key (PKCS#8, EC, P-256)', name);
    assert.deepEqual(scan('src/key.ts', `export const key = ${text};\n`).length, 1, name);
  }
});

test('a header with a truncated body, an example or a changed byte is not a key', () => {
  const lines = pkcs8.trim().split('\n');
  assert.equal(judgeArmoredKey([lines[0], lines[1], '...', lines.at(-1)].join('\n')), undefined, 'truncated');
  assert.equal(judgeArmoredKey('-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC...\n-----END PRIVATE KEY-----\n'), undefined, 'example');
  assert.equal(judgeArmoredKey(`-----BEGIN PRIVATE KEY-----\n${randomBytes(200).toString('base64')}\n-----END PRIVATE KEY-----\n`), undefined, 'random bytes');
  assert.equal(judgeArmoredKey(lines.slice(0, -1).join('\n')), undefined, 'no END line');
  // One more line than the DER says: the SEQUENCE no longer fills the body.
  assert.equal(judgeArmoredKey([...lines.slice(0, -1), 'AAAA', lines.at(-1)].join('\n')), undefined, 'trailing data');
});

test('a DER key is a key as a binary file; other binary files are not', () => {
  assert.equal(judgeBinaryKey(ec.export({ type: 'sec1', format: 'der' }))?.label, 'an EC private key (SEC1, P-256)');
  assert.equal(judgeBinaryKey(generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' })), undefined, 'a public key');
  assert.equal(judgeBinaryKey(Buffer.concat([Buffer.from([0x30, 0x82, 0x01, 0x00]), randomBytes(256)])), undefined, 'a SEQUENCE of noise');
  assert.equal(judgeBinaryKey(Buffer.from('\x89PNG\r\n\x1a\n'.padEnd(100, '\0'), 'latin1')), undefined, 'an image');
});

test('manifests: JSON Secrets, several documents, Helm values embedding a Docker config, Helm templates', () => {
  const token = randomBytes(20).toString('hex');
  const dockerconfig = Buffer.from(JSON.stringify({ auths: { 'registry.acme-saas.com': { auth: Buffer.from(`ci:${token}`).toString('base64') } } })).toString('base64');
  const values = manifestValues(`image:\n  repository: registry.acme-saas.com/web\nimagePullSecret:\n  dockerconfigjson: ${dockerconfig}\n`);
  assert.deepEqual(values.map((v) => [v.line, v.value, v.container, v.field]), [[4, token, 'the Docker config', 'dockerconfigjson → base64 → auths["registry.acme-saas.com"].auth, base64 user:password']]);

  const json = JSON.stringify({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 'api' }, data: { API_TOKEN: Buffer.from(token).toString('base64') } }, null, 4);
  assert.deepEqual(manifestValues(json).map((v) => [v.line, v.value, v.name]), [[8, token, 'API_TOKEN']]);

  const multi = `---\nkind: ConfigMap\ndata:\n  a: ${Buffer.from(token).toString('base64')}\n---\nkind: Secret\nstringData:\n  db-password: ${token}\n`;
  assert.deepEqual(manifestValues(multi).map((v) => [v.line, v.field]), [[8, 'stringData.db-password']], 'a ConfigMap is not a Secret');

  const helm = `kind: Secret\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  {{- range $k, $v := .Values.env }}\n  {{ $k }}: {{ $v | b64enc }}\n  {{- end }}\n  password: {{ .Values.password | b64enc | quote }}\n  user: ${Buffer.from('admin').toString('base64')}\n`;
  assert.deepEqual(manifestValues(helm).map((v) => [v.line, v.container, v.name, v.value]), [[9, 'the Kubernetes Secret', 'user', 'admin']], 'template actions are placeholders');
});

test('a Secret in a manifest is reported at the line of its encoded value, by every shape and by its name', () => {
  const stripe = ['sk', 'live', `51${randomBytes(48).toString('base64').replace(/[+/=]/g, '').slice(0, 60)}Zz9`].join('_');
  const yaml = `apiVersion: v1\ndata:\n  LOG_LEVEL: ${Buffer.from('debug').toString('base64')}\n  STRIPE_SECRET_KEY: ${Buffer.from(stripe).toString('base64')}\n  SMTP_PASSWORD: ${Buffer.from('Zq8vN2pLx4Rt7Ws9').toString('base64')}\n  WEBHOOK_SECRET: PGJhc2U2ND4=\nkind: Secret\nmetadata:\n  name: app\n`;
  assert.deepEqual(scan('k8s/app.yaml', yaml), [
    `4 credential a Stripe live secret key in the Kubernetes Secret app (data.STRIPE_SECRET_KEY, base64): sk_live_…${stripe.slice(-4)}`,
    '5 credential the Kubernetes Secret app sets SMTP_PASSWORD to a real value (data.SMTP_PASSWORD, base64): …7Ws9',
  ]);
});

test('credential files are known by name, and by their first line when their name says nothing', () => {
  assert.equal(credentialFileKind('ops/.pgpass'), 'pgpass');
  assert.equal(credentialFileKind('home/.aws/credentials'), 'aws');
  assert.equal(credentialFileKind('ci/_netrc'), 'netrc');
  assert.equal(credentialFileKind('src/credentials.ts'), undefined);
  const text = (t: string) => () => t;
  assert.equal(sniffCredentialFile('db.acme-saas.com:5432:app:app:secret', text('')), 'pgpass');
  assert.equal(sniffCredentialFile('10:30:00:00:00:12', text('')), undefined, 'timestamps');
  assert.equal(sniffCredentialFile('root:x:0:0:root:/root:/bin/bash', text('')), undefined, '/etc/passwd');
  assert.equal(sniffCredentialFile('machine api.heroku.com', text('machine api.heroku.com\n  password x\n')), 'netrc');
  assert.equal(sniffCredentialFile('machine learning notes', text('machine learning notes\nmore notes\n')), undefined, 'prose');
  assert.equal(sniffCredentialFile('[default]', text('[default]\nregion = eu-west-1\n')), undefined, 'an AWS config without secrets');
  assert.equal(sniffCredentialFile('https://bot:tok3nvalue@github.com', text('')), 'git-credentials');
});

test('.pgpass escapes and .netrc macros are read as their tools read them', () => {
  const pgpass = credentialFileValues('pgpass', 'db.acme-saas.com:5432:app:app:pa\\:ss\\\\word\n# a comment\nbad line\n');
  assert.deepEqual(pgpass.map((v) => [v.line, v.value, v.field]), [[1, 'pa:ss\\word', 'app@db.acme-saas.com:5432']]);
  const netrc = credentialFileValues('netrc', 'machine a.acme-saas.com login one password first\nmacdef init\npassword notatoken\n\nmachine b.acme-saas.com\n  login two\n  password second\n');
  assert.deepEqual(netrc.map((v) => [v.line, v.value, v.field]), [
    [1, 'first', 'machine a.acme-saas.com, login one'],
    [7, 'second', 'machine b.acme-saas.com, login two'],
  ]);
});
