/** Host classification shared by the URL rules and the probes. */
import { isIP } from 'node:net';

/** True for names and literals that can only be this machine or a private network. */
export function isNonPublicHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 4) {
    const [a, b] = host.split('.').map(Number) as [number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (family === 6) {
    return host === '::' || host === '::1' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:127.');
  }
  return false;
}

/**
 * What kind of non-public host a URL names, for messages: the machine itself, a private network
 * (RFC 1918, link-local, CGNAT, unique-local IPv6), or a name that only resolves inside a network
 * (a single label like a container's service name, `.internal`, `.local`, `.lan`, `.home.arpa`,
 * `.cluster.local`); undefined for a public host.
 */
export function nonPublicKind(hostname: string): 'loopback' | 'private network' | 'internal name' | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0' || host === '::' || host.startsWith('::ffff:127.')) return 'loopback';
  if (isNonPublicHost(host)) return 'private network';
  if (isIP(host) === 0 && (!host.includes('.') || /\.(internal|local|lan|home\.arpa|intranet|corp|svc)$/.test(host))) return 'internal name';
  return undefined;
}
