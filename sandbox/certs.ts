/**
 * A private certificate authority for the sandbox: the app, the database and the Sentry ingest host
 * get certificates for their production host names, signed by a CA that the gate is told to trust
 * through its `ca-file` input. Dates and host names are parameters so scenarios can issue expired,
 * soon-expiring or wrong-host certificates.
 *
 * Keys come from Node's crypto (OpenSSL): node-forge's pure-JS RSA key generation takes seconds per
 * 2048-bit key, OpenSSL takes milliseconds. Forge only builds and signs the X.509 structures.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface IssuedCert {
  certPem: string;
  /** PKCS#1 PEM (`RSA PRIVATE KEY`): accepted by Node's TLS and by PostgreSQL. */
  keyPem: string;
}

export interface IssueOptions {
  /** DNS names and IP addresses, all put in the subjectAltName (TLS clients ignore the CN). */
  hosts: string[];
  notBefore?: Date;
  notAfter?: Date;
  /** Defaults to the first host. */
  commonName?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A self-signed root, valid from yesterday (clock skew) for ten years. */
export function createCA(commonName: string): CertificateAuthority {
  const { privateKey, publicKey, keyPem } = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + 3650 * DAY_MS);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Acme SaaS Sandbox' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, cert, key: privateKey };
}

/** A TLS server certificate signed by `ca`, valid from yesterday for 90 days unless told otherwise. */
export function issueCert(ca: CertificateAuthority, options: IssueOptions): IssuedCert {
  if (options.hosts.length === 0) throw new Error('issueCert needs at least one host');
  const { publicKey, keyPem } = newKeyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = options.notBefore ?? new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = options.notAfter ?? new Date(Date.now() + 90 * DAY_MS);
  cert.setSubject([{ name: 'commonName', value: options.commonName ?? options.hosts[0]! }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      // 7 = iPAddress, 2 = dNSName (RFC 5280 GeneralName tags).
      altNames: options.hosts.map((host) => (isIP(host) ? { type: 7, ip: host } : { type: 2, value: host })),
    },
    { name: 'subjectKeyIdentifier' },
    // Links the leaf to the CA's key; OpenSSL uses it to build the chain.
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem };
}

function newKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  return {
    privateKey: forge.pki.privateKeyFromPem(pair.privateKey),
    publicKey: forge.pki.publicKeyFromPem(pair.publicKey),
    keyPem: pair.privateKey,
  };
}

/**
 * 128 random bits as a positive DER INTEGER: the first byte must be 0x01..0x7f (a set top bit would
 * make it negative, a zero byte would be a non-minimal encoding that strict parsers reject).
 */
function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f || 0x01;
  return bytes.toString('hex');
}
