/**
 * Addresses and ports for the sandbox. The servers answer on a random loopback address (Linux routes
 * all of 127.0.0.0/8 to `lo`, no configuration needed) on the real ports 443/80/5432, so the URLs the
 * gate sees carry production host names and no port. Without root, the low ports are out of reach and
 * the sandbox falls back to random high ports, which then appear in the URLs.
 */
import { randomInt } from 'node:crypto';
import net from 'node:net';

export const IS_ROOT = typeof process.getuid === 'function' && process.getuid() === 0;

/** A port that was free on `address` a moment ago (the kernel picks it). */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  const server = net.createServer();
  await listen(server, 0, address);
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Whether every port in `ports` can be bound on `address` right now. */
export async function portsAreFree(address: string, ports: number[]): Promise<boolean> {
  const bound: net.Server[] = [];
  try {
    for (const port of ports) {
      const server = net.createServer();
      await listen(server, port, address);
      bound.push(server);
    }
    return true;
  } catch {
    return false;
  } finally {
    await Promise.all(bound.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

/**
 * A random 127.x.y.z on which all of `ports` are free. Avoids 127.0.0.0/16 and 127.0.1.1, which
 * the host itself uses (localhost, Debian's hostname entry). Returns undefined when the platform does
 * not route the 127/8 block (macOS without aliases): callers fall back to 127.0.0.1 and high ports.
 */
export async function pickLoopbackAddress(ports: number[], avoid: string[] = []): Promise<string | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const address = `127.${randomInt(16, 255)}.${randomInt(0, 256)}.${randomInt(2, 255)}`;
    if (avoid.includes(address)) continue;
    // With no port to check, binding port 0 still proves the address is usable here.
    if (await portsAreFree(address, ports.length ? ports : [0])) return address;
  }
  return undefined;
}

export function listen(server: net.Server, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host: address, exclusive: true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Closes a server and every connection it holds (keep-alive sockets would delay `close` otherwise). */
export function closeServer(server: net.Server & { closeAllConnections?: () => void }): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
}

/** `host:port` with the port left out when it is the scheme's default, as in a URL. */
export function hostWithPort(host: string, port: number, defaultPort: number): string {
  return port === defaultPort ? host : `${host}:${port}`;
}
