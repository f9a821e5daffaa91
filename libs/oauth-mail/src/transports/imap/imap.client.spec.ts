import { createServer, type Server } from 'node:net';
import { EgressPolicy } from '../../egress/egress-policy.js';
import type { Mailbox } from '../../entities/mailbox.entity.js';
import type { MailSession } from '../mail-transport.js';
import { openImap } from './imap.client.js';

/** A scripted IMAP server that offers XOAUTH2, with or without SASL-IR, and records every client line. */
async function fakeImap(saslIr: boolean) {
  const received: string[] = [];
  const caps = `IMAP4rev1 AUTH=XOAUTH2${saslIr ? ' SASL-IR' : ''}`;
  const server: Server = createServer((socket) => {
    socket.write(`* OK [CAPABILITY ${caps}] ready\r\n`);
    let buffer = '';
    let authenticating: string | null = null;
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        received.push(line);
        if (authenticating) {
          socket.write(`${authenticating} OK authenticated\r\n`);
          authenticating = null;
          continue;
        }
        const [tag, command, mechanism, initial] = line.split(' ');
        if (command === 'CAPABILITY') socket.write(`* CAPABILITY ${caps}\r\n${tag} OK\r\n`);
        else if (command === 'AUTHENTICATE' && mechanism === 'XOAUTH2') {
          if (initial) socket.write(`${tag} OK authenticated\r\n`);
          else {
            authenticating = tag;
            socket.write('+ \r\n');
          }
        } else if (command === 'NAMESPACE') socket.write(`* NAMESPACE (("" "/")) NIL NIL\r\n${tag} OK\r\n`);
        else if (command === 'LOGOUT') socket.end(`* BYE\r\n${tag} OK\r\n`);
        else socket.write(`${tag} OK\r\n`);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, received, close: () => new Promise((r) => server.close(r)) };
}

const session = (port: number, accessToken: string): MailSession => ({
  mailbox: { protocol: 'imap', host: '127.0.0.1', port } as Mailbox,
  endpoint: { kind: 'socket', host: '127.0.0.1', port, encryption: 'none' },
  username: 'u@example.com',
  credential: { kind: 'token', accessToken },
  secureContext: undefined,
  timeoutMs: 2000,
  lookup: new EgressPolicy([]).lookup,
});

describe(`${openImap.name} OAuth login (RFC 4959)`, () => {
  const token = 'j'.repeat(2048);
  const response = Buffer.from(`user=u@example.com\x01auth=Bearer ${token}\x01\x01`).toString('base64');

  it('sends the initial response on the AUTHENTICATE line when the server offers SASL-IR', async () => {
    const s = await fakeImap(true);
    const client = await openImap(session(s.port, token));
    await client.logout();
    expect(s.received.find((l) => l.includes('AUTHENTICATE'))).toMatch(new RegExp(`AUTHENTICATE XOAUTH2 ${response.replace(/[+/=]/g, '\\$&')}$`));
    await s.close();
  });

  it('waits for the "+" continuation when the server does not offer SASL-IR', async () => {
    const s = await fakeImap(false);
    const client = await openImap(session(s.port, token));
    await client.logout();
    const at = s.received.findIndex((l) => l.includes('AUTHENTICATE'));
    expect(s.received[at]).toMatch(/^\S+ AUTHENTICATE XOAUTH2$/);
    expect(s.received[at + 1]).toBe(response);
    await s.close();
  });
});
