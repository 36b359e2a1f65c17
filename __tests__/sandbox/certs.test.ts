import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCA, issueCert } from '../../sandbox/certs.js';

const ca = createCA('Test Root CA');

test('a leaf certificate is signed by the CA and valid for its DNS names and IPs', () => {
  const leaf = issueCert(ca, { hosts: ['app.acme-saas.com', '127.9.9.9'] });
  const cert = new X509Certificate(leaf.certPem);
  const root = new X509Certificate(ca.certPem);
  assert.ok(cert.verify(root.publicKey), 'signed by the CA key');
  assert.ok(cert.checkIssued(root));
  assert.equal(cert.checkHost('app.acme-saas.com'), 'app.acme-saas.com');
  assert.equal(cert.checkHost('evil.example.com'), undefined);
  assert.equal(cert.checkIP('127.9.9.9'), '127.9.9.9');
  assert.equal(cert.ca, false);
  assert.equal(root.ca, true);
  assert.match(leaf.keyPem, /BEGIN RSA PRIVATE KEY/);
});

test('validity dates are parameters (expired and soon-expiring certificates)', () => {
  const notBefore = new Date('2024-01-01T00:00:00Z');
  const notAfter = new Date('2024-04-01T00:00:00Z');
  const expired = new X509Certificate(issueCert(ca, { hosts: ['app.acme-saas.com'], notBefore, notAfter }).certPem);
  assert.equal(new Date(expired.validFrom).toISOString(), notBefore.toISOString());
  assert.equal(new Date(expired.validTo).toISOString(), notAfter.toISOString());

  const soon = new X509Certificate(
    issueCert(ca, { hosts: ['app.acme-saas.com'], notAfter: new Date(Date.now() + 5 * 86_400_000) }).certPem,
  );
  const days = (new Date(soon.validTo).getTime() - Date.now()) / 86_400_000;
  assert.ok(days > 4 && days <= 5, `expires in ${days} days`);
});

test('serial numbers are random and positive', () => {
  const serials = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const serial = new X509Certificate(issueCert(ca, { hosts: ['a.example'] }).certPem).serialNumber;
    assert.ok(parseInt(serial.slice(0, 2), 16) < 0x80, `positive: ${serial}`);
    assert.notEqual(serial.slice(0, 2), '00');
    serials.add(serial);
  }
  assert.equal(serials.size, 3);
});
