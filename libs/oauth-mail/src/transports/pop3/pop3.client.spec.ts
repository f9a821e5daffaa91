import { createServer, type Server, type Socket } from 'node:net';
import { Pop3Client, Pop3Error } from './pop3.client.js';

/** A scripted POP3 server: each client line is answered by `reply`. */
async function fakeServer(greeting: string, reply: (line: string, socket: Socket) => string | null) {
  const received: string[] = [];
  const server: Server = createServer((socket) => {
    socket.write(greeting);
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      let end: number;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        received.push(line);
        const answer = reply(line, socket);
        if (answer !== null) socket.write(answer);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, received, close: () => new Promise((r) => server.close(r)) };
}

const connect = (port: number, timeoutMs = 2000) => Pop3Client.connect({ host: '127.0.0.1', port, encryption: 'none', timeoutMs });

describe(Pop3Client.name, () => {
  it('reads STAT, UIDL and RETR, undoing dot-stuffing', async () => {
    const s = await fakeServer('+OK ready\r\n', (line) => {
      if (line === 'STAT') return '+OK 2 320\r\n';
      if (line === 'UIDL') return '+OK\r\n1 abc\r\n2 def\r\n.\r\n';
      if (line === 'RETR 1') return '+OK\r\nSubject: x\r\n\r\n..leading dot\r\nbody\r\n.\r\n';
      if (line === 'QUIT') return '+OK bye\r\n';
      return '-ERR unknown\r\n';
    });
    const client = await connect(s.port);
    expect(await client.stat()).toEqual({ count: 2, size: 320 });
    expect([...(await client.uidl())]).toEqual([[1, 'abc'], [2, 'def']]);
    expect(await client.retr(1)).toBe('Subject: x\r\n\r\n.leading dot\r\nbody\r\n');
    await client.quit();
    await s.close();
  });

  it('answers an XOAUTH2 error challenge with an empty line and reports the refusal (never success)', async () => {
    const s = await fakeServer('+OK ready\r\n', (line) => {
      if (line.startsWith('AUTH XOAUTH2 ')) return `+ ${Buffer.from('{"status":"401","schemes":"bearer"}').toString('base64')}\r\n`;
      if (line === '') return '-ERR [AUTH] Authentication failed.\r\n';
      return '-ERR\r\n';
    });
    const client = await connect(s.port);
    await expect(client.loginXOAuth2('u@example.com', 'token')).rejects.toMatchObject({ stage: 'auth', responseCode: 'AUTH' });
    expect(s.received.at(-1)).toBe('');
    client.close();
    await s.close();
  });

  it('answers an OAUTHBEARER error challenge with AQ== (a single %x01)', async () => {
    const s = await fakeServer('+OK ready\r\n', (line) => (line.startsWith('AUTH OAUTHBEARER ') ? '+ eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIn0=\r\n' : line === 'AQ==' ? '-ERR [AUTH] no\r\n' : '-ERR\r\n'));
    const client = await connect(s.port);
    await expect(client.loginOAuthBearer('u@example.com', 'token')).rejects.toBeInstanceOf(Pop3Error);
    expect(s.received.at(-1)).toBe('AQ==');
    client.close();
    await s.close();
  });

  it('tells a temporary failure by its response code', async () => {
    const s = await fakeServer('+OK ready\r\n', (line) => (line.startsWith('AUTH') ? '-ERR [SYS/TEMP] Temporary authentication failure.\r\n' : '-ERR\r\n'));
    const client = await connect(s.port);
    await expect(client.loginXOAuth2('u', 't')).rejects.toMatchObject({ responseCode: 'SYS/TEMP' });
    client.close();
    await s.close();
  });

  it('refuses STARTTLS when the server does not offer STLS, before any credential', async () => {
    const s = await fakeServer('+OK ready\r\n', (line) => (line === 'CAPA' ? '+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n' : '-ERR\r\n'));
    await expect(Pop3Client.connect({ host: '127.0.0.1', port: s.port, encryption: 'starttls', timeoutMs: 2000 })).rejects.toMatchObject({ stage: 'tls', responseCode: 'NO-STLS' });
    expect(s.received).toEqual(['CAPA']);
    await s.close();
  });

  it('rejects hostile and malformed server lines', async () => {
    const long = await fakeServer(`+OK ${'x'.repeat(10_000)}`, () => null);
    await expect(connect(long.port)).rejects.toThrow(/longer than 8 KB/);
    await long.close();
    const garbage = await fakeServer('HELLO\r\n', () => null);
    await expect(connect(garbage.port)).rejects.toThrow(/unknown way/);
    await garbage.close();
    const badStat = await fakeServer('+OK\r\n', () => '+OK lots\r\n');
    const client = await connect(badStat.port);
    await expect(client.stat()).rejects.toThrow(/unknown format/);
    client.close();
    await badStat.close();
    const badUidl = await fakeServer('+OK\r\n', () => '+OK\r\n1 has space\r\n.\r\n');
    const c2 = await connect(badUidl.port);
    await expect(c2.uidl()).rejects.toThrow(/unknown format/);
    c2.close();
    await badUidl.close();
  });

  it('gives up on a silent server at the deadline, and never sends a line break inside a command', async () => {
    const silent = await fakeServer('', () => null);
    await expect(connect(silent.port, 300)).rejects.toMatchObject({ stage: 'timeout' });
    await silent.close();
    const s = await fakeServer('+OK\r\n', (line) => (line === 'CAPA' ? '+OK\r\nUSER\r\n.\r\n' : '+OK\r\n'));
    const client = await connect(s.port);
    await expect(client.loginPassword('user\r\nDELE 1', 'x')).rejects.toThrow(/line break/);
    expect(s.received.some((l) => l.startsWith('DELE'))).toBe(false);
    client.close();
    await s.close();
  });
});

describe(`${Pop3Client.name} initial responses (RFC 5034 §4)`, () => {
  it('sends the initial response on the AUTH line only when the line fits 255 octets, otherwise after the "+ " challenge', async () => {
    const s = await fakeServer('+OK ready\r\n', (line) => (line === 'AUTH XOAUTH2' ? '+ \r\n' : line.startsWith('AUTH') || /^[A-Za-z0-9+/=]+$/.test(line) ? '+OK welcome\r\n' : '-ERR\r\n'));
    const short = await connect(s.port);
    await short.loginXOAuth2('u@example.com', 'short-token');
    expect(s.received.at(-1)).toMatch(/^AUTH XOAUTH2 \S+$/);
    short.close();
    const long = await connect(s.port);
    const token = 't'.repeat(2048);
    await long.loginXOAuth2('u@example.com', token);
    expect(s.received.slice(-2)).toEqual(['AUTH XOAUTH2', Buffer.from(`user=u@example.com\x01auth=Bearer ${token}\x01\x01`).toString('base64')]);
    expect(s.received.every((l) => l.length + 2 <= 255 || !l.startsWith('AUTH'))).toBe(true);
    long.close();
    await s.close();
  });

  it('answers an error challenge after a long response, and reports the refusal', async () => {
    let step = 0;
    const s = await fakeServer('+OK ready\r\n', (line) => {
      if (line === 'AUTH XOAUTH2') return '+ \r\n';
      if (step++ === 0) return `+ ${Buffer.from('{"status":"401"}').toString('base64')}\r\n`;
      return line === '' ? '-ERR [AUTH] Authentication failed.\r\n' : '-ERR\r\n';
    });
    const client = await connect(s.port);
    await expect(client.loginXOAuth2('u@example.com', 't'.repeat(2048))).rejects.toMatchObject({ stage: 'auth', responseCode: 'AUTH' });
    expect(s.received.at(-1)).toBe('');
    client.close();
    await s.close();
  });
});
