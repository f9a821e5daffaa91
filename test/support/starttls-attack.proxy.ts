import { createServer, connect, type Server, type Socket } from 'node:net';

/** How the proxy attacks the upgrade to TLS. */
export type StarttlsAttack =
  /** Hides STARTTLS (STLS) from the capabilities and answers the client's STARTTLS itself with "unknown command". */
  | 'strip'
  /** Passes STARTTLS on, and sends plaintext right behind the server's OK, before the client's TLS handshake. */
  | 'inject';

type Protocol = 'imap' | 'pop3' | 'smtp';

const COMMAND: Record<Protocol, RegExp> = { imap: /^(\S+) STARTTLS$/i, pop3: /^STLS$/i, smtp: /^STARTTLS$/i };
const REFUSAL: Record<Protocol, (tag: string) => string> = {
  imap: (tag) => `${tag} BAD Unknown command.\r\n`,
  pop3: () => '-ERR Unknown command.\r\n',
  smtp: () => '502 5.5.1 Unknown command\r\n',
};
const ADVERTISED: Record<Protocol, (line: string) => string | null> = {
  imap: (line) => line.replace(/ STARTTLS\b/gi, ''),
  pop3: (line) => (/^STLS$/i.test(line) ? null : line),
  smtp: (line) => (/^250-STARTTLS$/i.test(line) ? null : line),
};
const OK: Record<Protocol, RegExp> = { imap: /^\S+ OK\b/i, pop3: /^\+OK\b/i, smtp: /^220\b/ };
const INJECTED: Record<Protocol, string> = {
  imap: '* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN LOGIN] injected\r\n',
  pop3: '+OK injected\r\n',
  smtp: '250-injected\r\n250 AUTH PLAIN LOGIN\r\n',
};

/**
 * A man in the middle between a mail client and a real server on loopback, for F12: it
 * strips STARTTLS or injects plaintext behind its OK, and records every byte the client
 * sent, so a test can show that no credential crossed in clear. Lines are rewritten only
 * while the connection is plaintext; once the upgrade goes through it only relays.
 */
export class StarttlsAttackProxy {
  private readonly sent: Buffer[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  get port(): number {
    return (this.server.address() as { port: number }).port;
  }

  /** Everything the clients sent, as the wire carried it (latin1). */
  get wire(): string {
    return Buffer.concat(this.sent).toString('latin1');
  }

  static async start(protocol: Protocol, targetPort: number, attack: StarttlsAttack): Promise<StarttlsAttackProxy> {
    const server = createServer();
    const proxy = new StarttlsAttackProxy(server);
    server.on('connection', (client) => proxy.relay(client, connect(targetPort, '127.0.0.1'), protocol, attack));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    return proxy;
  }

  private relay(client: Socket, upstream: Socket, protocol: Protocol, attack: StarttlsAttack): void {
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => {
        this.sockets.delete(socket);
        (socket === client ? upstream : client).destroy();
      });
      socket.on('error', () => socket.destroy());
    }
    let plaintext = true;
    let upgradeAsked = false;
    const lines = { client: '', server: '' };
    client.on('data', (chunk: Buffer) => {
      this.sent.push(chunk);
      if (!plaintext) return void upstream.write(chunk);
      lines.client += chunk.toString('latin1');
      let end: number;
      while ((end = lines.client.indexOf('\r\n')) >= 0) {
        const line = lines.client.slice(0, end);
        lines.client = lines.client.slice(end + 2);
        const command = COMMAND[protocol].exec(line);
        if (command && attack === 'strip') {
          client.write(REFUSAL[protocol](command[1] ?? ''));
          continue;
        }
        if (command) upgradeAsked = true;
        upstream.write(`${line}\r\n`, 'latin1');
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!plaintext) return void client.write(chunk);
      lines.server += chunk.toString('latin1');
      let out = '';
      let end: number;
      while ((end = lines.server.indexOf('\r\n')) >= 0) {
        const line = lines.server.slice(0, end);
        lines.server = lines.server.slice(end + 2);
        if (upgradeAsked && OK[protocol].test(line)) {
          // The OK and the injected plaintext leave in one write, as an attacker's segment would.
          out += `${line}\r\n${INJECTED[protocol]}`;
          plaintext = false;
          break;
        }
        const kept = attack === 'strip' ? ADVERTISED[protocol](line) : line;
        if (kept !== null) out += `${kept}\r\n`;
      }
      if (!plaintext && lines.server) out += lines.server;
      if (out) client.write(out, 'latin1');
    });
  }

  stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    return new Promise((r) => this.server.close(() => r()));
  }
}
