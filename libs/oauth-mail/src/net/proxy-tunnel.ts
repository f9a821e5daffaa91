import { request } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { ConnectLookup } from '../egress/egress-policy.js';

/** The Proxy field (host:port or a URL) as a URL. */
export const proxyUrl = (proxy: string) => new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);

/** The proxy refused to open the tunnel (any answer to CONNECT but 200). */
export class ProxyRefusedError extends Error {
  readonly code = 'PROXY_REFUSED';
  constructor(readonly status: number) {
    super(`the proxy answered HTTP ${status} to CONNECT`);
    this.name = 'ProxyRefusedError';
  }
}

export interface TunnelOptions {
  /** Applied when connecting to the proxy: the proxy's own address is checked at connect time. */
  lookup: ConnectLookup;
  /** Off only through a proxy (the seed's Verify field), and only for this connection, never for the process. */
  verifySsl: boolean;
  signal: AbortSignal;
}

/**
 * A socket to `target` through an HTTP proxy (CONNECT, RFC 9110 §9.3.6), with
 * TLS to the target on top for https. The proxy resolves the target's name, so
 * the caller checks that name before; the proxy's name goes through `lookup`.
 */
export function openTunnel(proxy: URL, target: URL, { lookup, verifySsl, signal }: TunnelOptions): Promise<Socket | TLSSocket> {
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const headers: Record<string, string> = { host: `${target.hostname}:${port}` };
  if (proxy.username) {
    headers['proxy-authorization'] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
  }
  return new Promise((done, fail) => {
    const req = request({
      host: proxy.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: proxy.port || 80,
      method: 'CONNECT',
      path: `${target.hostname}:${port}`,
      headers,
      lookup,
      agent: false,
      signal,
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return fail(new ProxyRefusedError(res.statusCode ?? 0));
      }
      if (target.protocol !== 'https:') return done(socket);
      const tls = tlsConnect({ socket, servername: isIP(target.hostname) ? undefined : target.hostname, rejectUnauthorized: verifySsl, ALPNProtocols: ['http/1.1'] });
      const abort = () => tls.destroy(signal.reason as Error);
      signal.addEventListener('abort', abort, { once: true });
      tls.once('secureConnect', () => {
        signal.removeEventListener('abort', abort);
        done(tls);
      });
      tls.once('error', (error: Error) => {
        signal.removeEventListener('abort', abort);
        socket.destroy();
        fail(error);
      });
    });
    req.once('error', fail);
    req.end();
  });
}
