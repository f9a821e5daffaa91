import { SMTPServer } from 'smtp-server';
import { freePort, type DovecotPeer } from './dovecot-peer.js';

/** The SMTP server Dovecot submission relays to: records each message and delivers it into the Maildir. */
export class RelaySink {
  readonly messages: { from: string; to: string[]; raw: string }[] = [];
  target: DovecotPeer | null = null;

  private constructor(
    private readonly server: SMTPServer,
    readonly port: number,
  ) {}

  static async start(): Promise<RelaySink> {
    const port = await freePort();
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData(stream, session, done) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const to = session.envelope.rcptTo.map((r) => r.address);
          sink.messages.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to, raw });
          try {
            for (const rcpt of to) sink.target?.deliver(rcpt, raw);
            done();
          } catch (error) {
            done(error as Error);
          }
        });
      },
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    // onData reads `sink` only once a message arrives, after this line.
    const sink = new RelaySink(server, port);
    return sink;
  }

  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}
