import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A real HTTP CONNECT proxy on loopback that records the host:port of each tunnel. */
export class ConnectProxy {
  readonly tunnels: string[] = [];

  private constructor(private readonly server: Server) {}

  get address(): string {
    return `127.0.0.1:${(this.server.address() as { port: number }).port}`;
  }

  static async start(): Promise<ConnectProxy> {
    const server = createServer();
    const proxy = new ConnectProxy(server);
    server.on('connect', (req, client: Socket, head: Buffer) => {
      proxy.tunnels.push(req.url!);
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client).pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return proxy;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
