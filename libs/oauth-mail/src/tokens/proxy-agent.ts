import { Agent as HttpAgent, request } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';

/** The Proxy field (host:port or a URL) as a URL. */
export const proxyUrl = (proxy: string) => new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy) ? proxy : `http://${proxy}`);

/**
 * An agent that tunnels through an HTTP proxy with CONNECT. `verifySsl` off
 * affects only this agent's connections (the seed's Verify field), never the
 * process: the admin is warned in the form that it is unsafe.
 */
export function proxyAgent(proxy: string, target: URL, verifySsl: boolean): HttpAgent {
  const via = proxyUrl(proxy);
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  const tunnel = (done: (err: Error | null, socket?: Duplex) => void) => {
    const req = request({ host: via.hostname, port: via.port, method: 'CONNECT', path: `${target.hostname}:${port}` });
    req.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        return done(Object.assign(new Error(`proxy answered ${res.statusCode}`), { code: 'ECONNREFUSED' }));
      }
      if (target.protocol !== 'https:') return done(null, socket);
      const tls = tlsConnect({ socket, servername: target.hostname, rejectUnauthorized: verifySsl });
      tls.once('secureConnect', () => done(null, tls));
      tls.once('error', done);
    });
    req.once('error', done);
    req.end();
  };
  const Base = target.protocol === 'https:' ? HttpsAgent : HttpAgent;
  const agent = new Base({ keepAlive: false });
  // createConnection may answer through a callback; Node's agents support that form.
  (agent as unknown as { createConnection: unknown }).createConnection = (_opts: unknown, done: (err: Error | null, socket?: Duplex) => void) => {
    tunnel(done);
    return undefined;
  };
  return agent;
}
