/**
 * security.tls: APP_URL's certificate and protocol, and the plain-HTTP redirect.
 *
 * The certificate is read by `inspectTls`, which does not stop at the first fault, so an expired or
 * misnamed certificate is reported as such ("expired 3 days ago", "issued for www.…") rather than
 * as "TLS failed". Three probes run at once, each bounded by timeout-seconds: the handshake, a
 * handshake offering only TLS 1.0/1.1 (src/probes/legacy-tls.ts), and `http://` (./https-redirect.ts).
 */
import { defineRule } from '../index.js';
import { ProbeError } from '../../probes/http.js';
import { appOrigin } from '../../probes/target.js';
import { noTarget } from '../live.js';
import { inspectTls, type TlsInspection } from '../../probes/tls.js';
import { probeFailure } from './app-target.js';
import { checkHttpRedirect, httpsPortOf } from './https-redirect.js';
import { legacyTlsProtocol } from '../../probes/legacy-tls.js';
import { code, outcomeOf, type Problem } from './problems.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Under this many days left, a certificate that still passes min-cert-days is a warning. */
export const CERT_WARN_DAYS = 30;
const MODERN_PROTOCOLS = new Set(['TLSv1.2', 'TLSv1.3']);

const day = (date: Date) => date.toISOString().slice(0, 10);
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Whole days from `now` until the certificate's notAfter (negative once expired). */
export function daysLeft(validTo: Date, now: Date): number {
  return Math.floor((validTo.getTime() - now.getTime()) / DAY_MS);
}

/** The chain's verification error, if the chain failed (a host name mismatch is judged apart). */
function chainFault(inspection: TlsInspection): string | undefined {
  return inspection.chainTrusted ? undefined : (inspection.chainError ?? 'unknown');
}

const RENEW = 'Renew the certificate, and check the automatic renewal (ACME client, platform-managed certificate) that should have done it.';

/** The certificate's problems: validity dates against min-cert-days, chain trust, host name. Pure. */
export function judgeCertificate(inspection: TlsInspection, options: { now: Date; minCertDays: number }): Problem[] {
  const problems: Problem[] = [];
  const { certificate: cert, host } = inspection;
  const { now, minCertDays } = options;
  const left = daysLeft(cert.validTo, now);
  const expired = cert.validTo.getTime() <= now.getTime();
  const notYet = cert.validFrom.getTime() > now.getTime();
  if (expired) {
    const ago = Math.floor((now.getTime() - cert.validTo.getTime()) / DAY_MS);
    problems.push({ level: 'fail', message: `the certificate expired on ${day(cert.validTo)} (${ago === 0 ? 'today' : `${plural(ago, 'day')} ago`})`, fix: RENEW });
  } else if (left < minCertDays) {
    problems.push({ level: 'fail', message: `the certificate expires in ${plural(left, 'day')} (${day(cert.validTo)}), under min-cert-days (${minCertDays})`, fix: RENEW });
  } else if (left < CERT_WARN_DAYS) {
    problems.push({ level: 'warn', message: `the certificate expires in ${plural(left, 'day')} (${day(cert.validTo)})`, fix: RENEW });
  }
  if (notYet) {
    problems.push({ level: 'fail', message: `the certificate is not valid before ${cert.validFrom.toISOString()}`, fix: 'Serve a certificate that is valid now (check the clock of the machine that issued it).' });
  }
  // An expiry is reported above; the chain error would only repeat it.
  const chainError = chainFault(inspection) ?? '';
  if (chainError && !/CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|expired|not yet valid/i.test(chainError)) {
    const issuer = code(cert.issuer || 'unknown');
    const why = /SELF_SIGNED|self.signed/i.test(chainError)
      ? `it is issued by ${issuer}, a root the runner does not trust`
      : /UNABLE_TO_(GET_ISSUER|VERIFY_LEAF)|issuer/i.test(chainError)
        ? `the chain from issuer ${issuer} does not reach a trusted root: the server may not send its intermediate certificate, or the issuer is a private CA`
        : `verification failed for issuer ${issuer}`;
    problems.push({
      level: 'fail',
      message: `the certificate chain is not trusted (${code(chainError || 'unknown')}): ${why}`,
      fix: 'Serve the full chain (leaf and intermediates) from a public CA. If the app really uses a private CA, give its certificate in ca-file.',
    });
  }
  if (!inspection.hostMatches) {
    const names = cert.altNames.length ? cert.altNames.map(code).join(', ') : code(cert.subject);
    problems.push({
      level: 'fail',
      message: `the certificate is for ${names}, not ${code(host)}`,
      fix: `Serve a certificate that names ${host} (or a wildcard that covers it).`,
    });
  }
  return problems;
}

/** The negotiated protocol, and a legacy one the server also accepts. Pure. */
export function judgeProtocol(protocol: string | null, legacy: string | undefined): Problem[] {
  const problems: Problem[] = [];
  if (!protocol || !MODERN_PROTOCOLS.has(protocol)) {
    problems.push({ level: 'fail', message: `the connection used ${code(protocol ?? 'unknown')}, not TLS 1.2 or newer`, fix: 'Enable TLS 1.2 and 1.3 at the load balancer or CDN.' });
  }
  if (legacy) {
    problems.push({
      level: 'warn',
      message: `the server also accepts ${code(legacy)}: browsers dropped TLS 1.0/1.1 in 2020 and Mozilla's intermediate configuration starts at TLS 1.2`,
      fix: 'Set the minimum TLS version to 1.2 at the load balancer or CDN.',
    });
  }
  return problems;
}

/** Handshake errors that mean "no common protocol version". */
const PROTOCOL_ERROR = /UNSUPPORTED_PROTOCOL|PROTOCOL_VERSION|WRONG_VERSION_NUMBER|unsupported protocol|wrong version number/i;

export const securityTls = defineRule({
  id: 'security.tls',
  async check({ settings, clients, signal }) {
    const app = appOrigin(settings);
    if (!app) return noTarget(settings);
    const host = app.hostname.replace(/^\[|\]$/g, '');
    const port = httpsPortOf(app);
    const timeoutMs = settings.timeoutSeconds * 1000;
    const [inspection, legacy, redirect] = await Promise.all([
      inspectTls(host, port, { resolve: settings.resolve, ca: settings.ca, timeoutMs, signal }).catch((error: unknown) => error),
      legacyTlsProtocol(host, port, { resolve: settings.resolve, timeoutMs, signal }),
      checkHttpRedirect(app, settings, clients, signal),
    ]);
    const redirectProblems = redirect.problem ? [redirect.problem] : [];
    const redirectDetails = [`- http: ${redirect.seen}`, ...(redirect.note ? [`  (${redirect.note})`] : [])];

    if (!isInspection(inspection)) {
      const failure = probeFailure(inspection, `TLS handshake with ${host}:${port}`);
      const onlyLegacy = inspection instanceof ProbeError && PROTOCOL_ERROR.test(inspection.message) && legacy;
      const problems: Problem[] = [
        onlyLegacy
          ? { level: 'fail', message: `${host}:${port} speaks only ${code(legacy)}, not TLS 1.2 or newer (${failure.summary})`, fix: 'Enable TLS 1.2 and 1.3 at the load balancer or CDN.' }
          : { level: 'fail', message: failure.summary, fix: failure.fix ?? 'Check that APP_URL answers over HTTPS from the runner.' },
        ...redirectProblems,
      ];
      const outcome = outcomeOf(problems, { summary: '', details: redirectDetails.join('\n'), data: { legacyProtocol: legacy } });
      // No handshake because the app did not answer, and nothing else found (plain HTTP did not answer
      // either, or redirected as it should): the check could not run.
      return failure.unreachable && !onlyLegacy && (redirectProblems.length === 0 || redirect.noAnswer) ? { ...outcome, unreachable: failure.unreachable } : outcome;
    }

    const now = new Date();
    const cert = inspection.certificate;
    const left = daysLeft(cert.validTo, now);
    const problems = [...judgeCertificate(inspection, { now, minCertDays: settings.minCertDays }), ...judgeProtocol(inspection.protocol, legacy), ...redirectProblems];
    const details = [
      `- certificate: ${code(cert.subject)}, names ${cert.altNames.map(code).join(', ') || 'none'}, issued by ${code(cert.issuer)}`,
      `- valid ${day(cert.validFrom)} to ${day(cert.validTo)} (${plural(left, 'day')} left; min-cert-days ${settings.minCertDays}, warning under ${CERT_WARN_DAYS})`,
      `- chain as sent: ${inspection.chain.map(code).join(' → ')}; trusted: ${chainFault(inspection) ? `no (${chainFault(inspection)})` : 'yes'}`,
      `- protocol ${code(inspection.protocol ?? 'unknown')}, cipher ${code(inspection.cipher)}${legacy ? `; also accepts ${code(legacy)}` : ''}`,
      `- connected to ${inspection.address}:${port}`,
      ...redirectDetails,
    ].join('\n');
    return outcomeOf(problems, {
      summary: `${code(inspection.protocol ?? '')}, trusted certificate for ${code(host)}, expires in ${plural(left, 'day')} (${day(cert.validTo)}); ${redirect.seen}`,
      details,
      data: {
        protocol: inspection.protocol,
        cipher: inspection.cipher,
        validTo: cert.validTo.toISOString(),
        daysLeft: left,
        issuer: cert.issuer,
        altNames: cert.altNames,
        legacyProtocol: legacy,
      },
    });
  },
});

function isInspection(value: unknown): value is TlsInspection {
  return typeof value === 'object' && value !== null && 'certificate' in value && 'chainTrusted' in value;
}
