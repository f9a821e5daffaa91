import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A real HTTP CONNECT proxy on loopback that records the host:port of each tunnel. */
export class ConnectProxy {
  readonly tunnels: string[] = [];
  // Tunnelled sockets leave the HTTP server's hands but keep close() waiting: stop() ends them.
  private readonly sockets = new Set<Socket>();

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
      for (const socket of [client, upstream]) {
        proxy.sockets.add(socket);
        socket.on('close', () => proxy.sockets.delete(socket));
        socket.on('error', () => (socket === upstream ? client : upstream).destroy());
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return proxy;
  }

  stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
