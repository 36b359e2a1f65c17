import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import type { RequestListener } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { CertificateInfo } from '../../../src/probes/http.js';
import type { TlsInspection } from '../../../src/probes/tls.js';
import { judgeHttpRedirect, planHttpProbe } from '../../../src/rules/security/https-redirect.js';
import { judgeCertificate, judgeProtocol, securityTls } from '../../../src/rules/security/tls.js';
import type { IssueOptions } from '../../../sandbox/certs.js';
import { freePort } from '../../../sandbox/net.js';
import { runRule } from '../../helpers.js';
import { APP_HOST, htmlPage, liveSettings, redirectTo, startHttpServer, startHttpsServer, testCa, type TestServer } from './servers.js';

const DAY = 24 * 60 * 60 * 1000;
const ca = testCa('TLS Test CA');
const opened: TestServer[] = [];
after(async () => {
  await Promise.all(opened.map((s) => s.close()));
  ca.cleanup();
});

// --- pure parts ---------------------------------------------------------------------------------

function inspection(overrides: Partial<TlsInspection> & { cert?: Partial<CertificateInfo> } = {}): TlsInspection {
  const { cert, ...rest } = overrides;
  return {
    host: APP_HOST,
    port: 443,
    address: '127.0.0.1',
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    chainTrusted: true,
    hostMatches: true,
    chain: [APP_HOST, 'Acme Root'],
    certificate: {
      subject: `CN=${APP_HOST}`,
      issuer: 'CN=Acme Root',
      validFrom: new Date('2025-01-01T00:00:00Z'),
      validTo: new Date('2025-04-01T00:00:00Z'),
      altNames: [APP_HOST],
      fingerprint256: 'AA',
      ...cert,
    },
    ...rest,
  };
}
const NOW = new Date('2025-02-01T12:00:00Z');
const levels = (list: { level: string; message: string }[]) => list.map((p) => `${p.level}: ${p.message}`);

test('judgeCertificate: days left against min-cert-days (fail) and 30 days (warn); expired; not yet valid', () => {
  assert.deepEqual(judgeCertificate(inspection(), { now: NOW, minCertDays: 14 }), []);
  assert.deepEqual(levels(judgeCertificate(inspection({ cert: { validTo: new Date(NOW.getTime() + 5.5 * DAY) } }), { now: NOW, minCertDays: 14 })), [
    'fail: the certificate expires in 5 days (2025-02-07), under min-cert-days (14)',
  ]);
  assert.deepEqual(levels(judgeCertificate(inspection({ cert: { validTo: new Date(NOW.getTime() + 20.5 * DAY) } }), { now: NOW, minCertDays: 14 })), [
    'warn: the certificate expires in 20 days (2025-02-22)',
  ]);
  const expired = inspection({ chainTrusted: false, chainError: 'CERT_HAS_EXPIRED', cert: { validTo: new Date(NOW.getTime() - 2.5 * DAY) } });
  assert.deepEqual(levels(judgeCertificate(expired, { now: NOW, minCertDays: 14 })), ['fail: the certificate expired on 2025-01-30 (2 days ago)']);
  assert.match(levels(judgeCertificate(inspection({ cert: { validFrom: new Date(NOW.getTime() + DAY) } }), { now: NOW, minCertDays: 14 }))[0]!, /not valid before 2025-02-02/);
});

test('judgeCertificate: an untrusted chain and a wrong host name say what was seen', () => {
  const untrusted = judgeCertificate(inspection({ chainTrusted: false, chainError: 'SELF_SIGNED_CERT_IN_CHAIN' }), { now: NOW, minCertDays: 14 });
  assert.deepEqual(levels(untrusted), ['fail: the certificate chain is not trusted (`SELF_SIGNED_CERT_IN_CHAIN`): it is issued by `CN=Acme Root`, a root the runner does not trust']);
  const intermediate = judgeCertificate(inspection({ chainTrusted: false, chainError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }), { now: NOW, minCertDays: 14 });
  assert.match(intermediate[0]!.message, /may not send its intermediate certificate/);
  const misnamed = judgeCertificate(inspection({ hostMatches: false, cert: { altNames: ['www.acme-saas.com', 'acme-saas.com'] } }), { now: NOW, minCertDays: 14 });
  assert.deepEqual(levels(misnamed), ['fail: the certificate is for `www.acme-saas.com`, `acme-saas.com`, not `app.acme-saas.com`']);
});

test('judgeProtocol: TLS 1.2+ passes; an older one fails; accepting TLS 1.1 as well warns', () => {
  assert.deepEqual(judgeProtocol('TLSv1.3', undefined), []);
  assert.deepEqual(judgeProtocol('TLSv1.2', undefined), []);
  assert.equal(judgeProtocol('TLSv1.1', 'TLSv1.1')[0]!.level, 'fail');
  assert.deepEqual(judgeProtocol('TLSv1.3', 'TLSv1.1').map((p) => p.level), ['warn']);
});

test('planHttpProbe: port 80 by default, resolve for port 80, another resolve port when APP_URL has a port, else the HTTPS address', () => {
  const app = new URL(`https://${APP_HOST}`);
  assert.deepEqual(planHttpProbe(app, []), { url: `http://${APP_HOST}/` });
  assert.deepEqual(planHttpProbe(app, [{ host: APP_HOST, port: 80, address: '203.0.113.7' }, { host: APP_HOST, port: 443, address: '203.0.113.7' }]), { url: `http://${APP_HOST}/` });
  const borrowed = planHttpProbe(app, [{ host: APP_HOST, port: 443, address: '203.0.113.7' }]);
  assert.deepEqual(borrowed.extra, { host: APP_HOST, port: 80, address: '203.0.113.7' });
  assert.equal(borrowed.url, `http://${APP_HOST}/`);
  assert.match(borrowed.note ?? '', /no entry for app\.acme-saas\.com:80/);
  const high = new URL(`https://${APP_HOST}:8443`);
  const sandboxLike = planHttpProbe(high, [{ host: APP_HOST, port: 8443, address: '127.0.0.1' }, { host: APP_HOST, port: 8080, address: '127.0.0.1' }, { host: 'db.acme-saas.com', port: 5432, address: '127.0.0.1' }]);
  assert.equal(sandboxLike.url, `http://${APP_HOST}:8080/`);
  assert.equal(sandboxLike.extra, undefined);
});

test('judgeHttpRedirect: https on the same host passes; plain HTTP, another host, http:// and errors fail', () => {
  const app = new URL(`https://${APP_HOST}`);
  const from = `http://${APP_HOST}/`;
  const judge = (status: number, location?: string) => judgeHttpRedirect(from, app, { status, headers: location ? { location } : {} });
  assert.equal(judge(301, `https://${APP_HOST}/`).problem, undefined);
  assert.equal(judge(308, `https://${APP_HOST}/`).seen, '`http://app.acme-saas.com/` → 308 `https://app.acme-saas.com/`');
  assert.match(judge(301, 'https://www.acme-saas.com/').problem?.message ?? '', /redirects to another host, `https:\/\/www\.acme-saas\.com\/`/);
  assert.match(judge(302, `http://${APP_HOST}/login`).problem?.message ?? '', /not to https:\/\//);
  assert.match(judge(200).problem?.message ?? '', /serves the site over plain HTTP \(HTTP 200\)/);
  assert.match(judge(404).problem?.message ?? '', /answers HTTP 404 instead of redirecting/);
  assert.equal(judge(301, `https://${APP_HOST}:8443/`).problem?.level, 'warn');
});

// --- the rule against real servers ------------------------------------------------------------

interface TlsCase {
  cert?: Partial<IssueOptions>;
  /** What plain HTTP does: redirect to the HTTPS origin (default), serve the page, redirect elsewhere, or nothing listens. */
  http?: 'redirect' | 'serve' | 'other-host' | 'closed';
  trustCa?: boolean;
  tls?: Pick<SecureContextOptions, 'minVersion' | 'maxVersion' | 'ciphers'>;
  minCertDays?: string;
}

async function runTls(options: TlsCase = {}) {
  const page = htmlPage(() => ({}));
  const https = await startHttpsServer({ ca: ca.ca, certOptions: options.cert, handler: page, tls: options.tls });
  opened.push(https);
  const mode = options.http ?? 'redirect';
  const servers = [https];
  if (mode === 'closed') {
    const port = await freePort();
    // A resolve entry for a port where nothing listens: the bare name gets "connection refused".
    servers.push({ ...https, port, resolve: `${APP_HOST}:${port}:127.0.0.1` });
  } else {
    const handlers: Record<string, RequestListener> = {
      redirect: redirectTo(https.origin),
      serve: page,
      'other-host': redirectTo('https://www.acme-saas.com'),
    };
    const plain = await startHttpServer({ handler: handlers[mode]! });
    opened.push(plain);
    servers.push(plain);
  }
  const settings = await liveSettings({
    servers,
    caFile: options.trustCa === false ? undefined : ca.caFile,
    inputs: options.minCertDays ? { 'min-cert-days': options.minCertDays } : {},
  });
  return { report: await runRule(securityTls, settings), https, servers };
}

test('security.tls passes: trusted chain, matching host, TLS 1.2+, 90 days left, http:// redirects (all through resolve)', async () => {
  const { report, servers } = await runTls();
  assert.equal(report.status, 'pass', report.summary);
  assert.match(report.summary, /^`TLSv1\.3`, trusted certificate for `app\.acme-saas\.com`, expires in (89|90) days \(\d{4}-\d\d-\d\d\); `http:\/\/app\.acme-saas\.com:\d+\/` → 301 `https:\/\/app\.acme-saas\.com:\d+\/`$/);
  assert.match(report.details ?? '', /taken from the resolve entry/);
  assert.equal(servers[1]!.requests.length, 1, 'the plain-HTTP listener got the probe');
  assert.equal(report.data?.legacyProtocol, undefined);
});

test('security.tls fails on an expired certificate, saying when it expired', async () => {
  const { report } = await runTls({ cert: { notBefore: new Date(Date.now() - 100 * DAY), notAfter: new Date(Date.now() - 3 * DAY - 60_000) } });
  assert.equal(report.status, 'fail');
  assert.match(report.summary, /^the certificate expired on \d{4}-\d\d-\d\d \(3 days ago\)$/);
  assert.match(report.fix ?? '', /Renew the certificate/);
});

test('security.tls fails with 5 days left under min-cert-days 14, and warns with 20 days left', async () => {
  const soon = await runTls({ cert: { notAfter: new Date(Date.now() + 5 * DAY + 3_600_000) }, minCertDays: '14' });
  assert.equal(soon.report.status, 'fail');
  assert.match(soon.report.summary, /expires in 5 days \(.*\), under min-cert-days \(14\)/);
  const later = await runTls({ cert: { notAfter: new Date(Date.now() + 20 * DAY + 3_600_000) }, minCertDays: '14' });
  assert.equal(later.report.status, 'warn');
  assert.match(later.report.summary, /^the certificate expires in 20 days/);
});

test('security.tls fails on a wrong host name and on a CA the runner was not given', async () => {
  const misnamed = await runTls({ cert: { hosts: ['www.acme-saas.com'] } });
  assert.equal(misnamed.report.status, 'fail');
  assert.equal(misnamed.report.summary, 'the certificate is for `www.acme-saas.com`, not `app.acme-saas.com`');
  const untrusted = await runTls({ trustCa: false });
  assert.equal(untrusted.report.status, 'fail');
  // The server sends only its leaf, so OpenSSL cannot find the (unknown) issuer.
  assert.match(untrusted.report.summary, /^the certificate chain is not trusted \(`UNABLE_TO_VERIFY_LEAF_SIGNATURE`\): the chain from issuer `CN=TLS Test CA, O=Acme SaaS Sandbox` does not reach a trusted root: .* or the issuer is a private CA$/);
  assert.match(untrusted.report.fix ?? '', /ca-file/);
});

test('security.tls fails when plain HTTP serves the site, redirects to another host, or nothing answers', async () => {
  const serve = await runTls({ http: 'serve' });
  assert.equal(serve.report.status, 'fail');
  assert.match(serve.report.summary, /^`http:\/\/app\.acme-saas\.com:\d+\/` serves the site over plain HTTP \(HTTP 200\) instead of redirecting to https:\/\/$/);
  const other = await runTls({ http: 'other-host' });
  assert.equal(other.report.status, 'fail');
  assert.match(other.report.summary, /redirects to another host, `https:\/\/www\.acme-saas\.com\/`/);
  const closed = await runTls({ http: 'closed' });
  assert.equal(closed.report.status, 'fail');
  assert.match(closed.report.summary, /^nothing answers on `http:\/\/app\.acme-saas\.com:\d+\/` \(connection refused\): browsers typing the bare name get an error$/);
  assert.match(closed.report.fix ?? '', /redirect to https:\/\/app\.acme-saas\.com\//);
});

test('security.tls warns when the server still accepts TLS 1.1, and fails when it speaks nothing newer', async () => {
  const legacyToo = await runTls({ tls: { minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' } });
  assert.equal(legacyToo.report.status, 'warn', legacyToo.report.summary);
  assert.match(legacyToo.report.summary, /^the server also accepts `TLSv1\.1`/);
  const legacyOnly = await runTls({ tls: { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' } });
  assert.equal(legacyOnly.report.status, 'fail');
  assert.match(legacyOnly.report.summary, /^app\.acme-saas\.com:\d+ speaks only `TLSv1\.1`, not TLS 1\.2 or newer/);
});

test('security.tls fails with the probe message when nothing listens on the HTTPS port', async () => {
  const port = await freePort();
  const settings = await liveSettings({
    servers: [],
    env: { APP_URL: `https://${APP_HOST}:${port}` },
    inputs: { resolve: `${APP_HOST}:${port}:127.0.0.1` },
  });
  const report = await runRule(securityTls, settings);
  assert.equal(report.status, 'fail');
  // Neither HTTPS nor plain HTTP answered: the app is down, the certificate could not be checked.
  assert.match(report.summary, new RegExp(`^unreachable: app — ${APP_HOST}:${port}: the connection was refused: nothing listens there \\(ECONNREFUSED\\)`));
  assert.equal(report.unreachable?.component, 'app');
});

test('security.tls skips without a usable APP_URL', async () => {
  const report = await runRule(securityTls, await liveSettings({ servers: [], env: { APP_URL: 'http://app.acme-saas.com' } }));
  assert.equal(report.status, 'skip');
  assert.equal(report.summary, 'APP_URL is not a usable https:// URL (see config.app-url)');
});

test('security.tls fails within its bound when the server accepts connections but never completes a handshake', async () => {
  const sockets = new Set<Socket>();
  let open = 0;
  let peak = 0;
  const silent = createServer((socket) => {
    sockets.add(socket);
    peak = Math.max(peak, ++open);
    socket.on('close', () => open--);
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const port = (silent.address() as AddressInfo).port;
  try {
    const settings = await liveSettings({
      servers: [],
      env: { APP_URL: `https://${APP_HOST}:${port}` },
      inputs: { resolve: `${APP_HOST}:${port}:127.0.0.1`, 'timeout-seconds': '1' },
    });
    const report = await runRule(securityTls, settings);
    assert.equal(report.status, 'fail');
    // The handshake's own deadline ended it (not the runner's cut-off), and the probes waited at once.
    assert.match(report.summary, new RegExp(`${APP_HOST}:${port}: no TLS handshake within 1 s`));
    assert.doesNotMatch(report.summary, /did not finish within/);
    assert.ok(peak >= 2, `${peak} connection(s) open at once: the probes ran one after the other`);
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});
