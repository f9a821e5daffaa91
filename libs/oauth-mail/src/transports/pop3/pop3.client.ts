import { connect as netConnect, type LookupFunction, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { oauthBearer, plain, xoauth2 } from '../sasl.js';

export interface Pop3ConnectOptions {
  host: string;
  port: number;
  /** `ssl`: TLS from the first byte; `starttls`: STLS before anything else (refused if not offered); `none`: plain. */
  encryption: 'ssl' | 'starttls' | 'none';
  tls?: Pick<ConnectionOptions, 'ca' | 'secureContext' | 'rejectUnauthorized'>;
  /** Deadline of each step (connect, greeting, each command). */
  timeoutMs?: number;
  /** Resolves the host for the connection (`net.connect`'s `lookup`), such as an egress policy's. */
  lookup?: LookupFunction;
}

/** Where a POP3 exchange failed, and the server's words (never a credential). */
export class Pop3Error extends Error {
  constructor(
    message: string,
    readonly stage: 'connect' | 'tls' | 'auth' | 'command' | 'timeout' | 'protocol',
    /** RFC 3206 response code such as AUTH, SYS/TEMP or IN-USE, when the server gave one. */
    readonly responseCode: string | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'Pop3Error';
  }
}

const MAX_LINE = 8192;
// RFC 2449 §4: a command line, terminating CRLF included.
const MAX_COMMAND = 255;
const MAX_MESSAGE = 64 * 1024 * 1024;

/**
 * A POP3 client (RFC 1939) with STLS (RFC 2595) and SASL (RFC 5034): PLAIN,
 * XOAUTH2 and OAUTHBEARER, answering a server's error challenge as the
 * mechanisms require instead of mistaking it for success. Every step has a deadline.
 */
export class Pop3Client {
  private buffer = '';
  private waiting: ((line: string | Error) => void) | null = null;
  private lines: string[] = [];
  private failure: Error | null = null;
  private capabilities: string[] | null = null;

  private constructor(
    private socket: Socket | TLSSocket,
    private readonly options: Pop3ConnectOptions,
  ) {
    this.attach(socket);
  }

  static async connect(options: Pop3ConnectOptions): Promise<Pop3Client> {
    const timeout = options.timeoutMs ?? 15_000;
    const socket = await new Promise<Socket | TLSSocket>((done, fail) => {
      const s: Socket =
        options.encryption === 'ssl'
          ? tlsConnect({ host: options.host, port: options.port, servername: servername(options.host), ...options.tls, lookup: options.lookup }, () => done(s))
          : netConnect({ host: options.host, port: options.port, lookup: options.lookup }, () => done(s));
      s.setTimeout(timeout, () => s.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
      s.once('error', fail);
    });
    const client = new Pop3Client(socket, options);
    await client.expectOk(await client.readLine(), 'connect');
    if (options.encryption === 'starttls') {
      const caps = await client.capa();
      if (!caps.includes('STLS')) {
        client.close();
        throw new Pop3Error('The server does not offer STLS (STARTTLS), so no credentials were sent.', 'tls', 'NO-STLS');
      }
      await client.expectOk(await client.command('STLS'), 'tls');
      await client.upgrade();
      client.capabilities = null;
    }
    return client;
  }

  /** Capability names (CAPA); empty when the server does not support CAPA. */
  async capa(): Promise<string[]> {
    return (await this.capaLines()).map((l) => l.split(' ')[0].toUpperCase());
  }

  /** SASL mechanisms the server offers (CAPA's SASL line). */
  async saslMechanisms(): Promise<string[]> {
    const sasl = (await this.capaLines()).find((l) => l.toUpperCase().startsWith('SASL '));
    return sasl ? sasl.split(' ').slice(1).map((m) => m.toUpperCase()) : [];
  }

  async loginPassword(user: string, password: string): Promise<void> {
    // '*' cancels the exchange (RFC 5034 §4) should PLAIN get a challenge.
    if ((await this.saslMechanisms()).includes('PLAIN')) return this.auth('PLAIN', plain(user, password), '*');
    await this.expectOk(await this.command(`USER ${user}`), 'auth');
    await this.expectOk(await this.command(`PASS ${password}`), 'auth');
  }

  async loginXOAuth2(user: string, accessToken: string): Promise<void> {
    // An XOAUTH2 error challenge is answered with an empty line.
    return this.auth('XOAUTH2', xoauth2(user, accessToken), '');
  }

  async loginOAuthBearer(user: string, accessToken: string): Promise<void> {
    // RFC 7628 §3.2.3: an OAUTHBEARER error challenge is answered with a single %x01.
    return this.auth('OAUTHBEARER', oauthBearer(user, this.options.host, this.options.port, accessToken), 'AQ==');
  }

  async stat(): Promise<{ count: number; size: number }> {
    const line = await this.command('STAT');
    await this.expectOk(line, 'command');
    const [, count, size] = /^\+OK (\d+) (\d+)/.exec(line) ?? [];
    if (count === undefined) throw new Pop3Error('The server answered STAT in an unknown format.', 'protocol');
    return { count: Number(count), size: Number(size) };
  }

  /** Message number → unique id. */
  async uidl(): Promise<Map<number, string>> {
    await this.expectOk(await this.command('UIDL'), 'command');
    const map = new Map<number, string>();
    for (const line of await this.readMultiline()) {
      const [, n, uid] = /^(\d+) ([\x21-\x7e]{1,70})$/.exec(line) ?? [];
      if (n === undefined) throw new Pop3Error('The server answered UIDL in an unknown format.', 'protocol');
      map.set(Number(n), uid);
    }
    return map;
  }

  async retr(n: number): Promise<string> {
    await this.expectOk(await this.command(`RETR ${Math.trunc(n)}`), 'command');
    return (await this.readMultiline(MAX_MESSAGE)).join('\r\n') + '\r\n';
  }

  async quit(): Promise<void> {
    try {
      await this.command('QUIT');
    } finally {
      this.close();
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private async capaLines(): Promise<string[]> {
    if (!this.capabilities) {
      const status = await this.command('CAPA');
      this.capabilities = status.startsWith('+OK') ? await this.readMultiline() : [];
    }
    return this.capabilities;
  }

  private async auth(mechanism: string, initial: string, errorReply: string): Promise<void> {
    const withInitial = `AUTH ${mechanism} ${initial}`;
    let line: string;
    if (Buffer.byteLength(withInitial) + 2 <= MAX_COMMAND) line = await this.command(withInitial);
    else {
      // RFC 5034 §4: a response that does not fit the AUTH line follows the server's empty challenge.
      line = await this.command(`AUTH ${mechanism}`);
      if (!isContinuation(line)) {
        if (line.startsWith('+OK')) throw new Pop3Error('The server accepted a login before any credential was sent.', 'protocol');
        return this.expectOk(line, 'auth');
      }
      line = await this.command(initial);
    }
    if (isContinuation(line)) {
      // A continuation here is the server's error challenge, not success: answer it and read the verdict.
      line = await this.command(errorReply);
    }
    await this.expectOk(line, 'auth');
  }

  private async upgrade(): Promise<void> {
    const plainSocket = this.socket;
    plainSocket.removeAllListeners('data');
    if (this.buffer || this.lines.length) throw new Pop3Error('The server sent data before the TLS handshake; the connection was dropped.', 'tls');
    this.socket = await new Promise<TLSSocket>((done, fail) => {
      const s = tlsConnect({ socket: plainSocket, servername: servername(this.options.host), ...this.options.tls }, () => done(s));
      s.once('error', fail);
    });
    this.attach(this.socket);
  }

  private attach(socket: Socket | TLSSocket): void {
    socket.setEncoding('utf8');
    socket.setTimeout(this.options.timeoutMs ?? 15_000, () => this.fail(new Pop3Error('The server did not answer in time.', 'timeout')));
    socket.on('data', (chunk: string) => this.receive(chunk));
    socket.on('error', (error: Error) => this.fail(error));
    socket.on('close', () => this.fail(new Pop3Error('The server closed the connection.', 'connect')));
  }

  private receive(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\r\n')) >= 0) {
      this.lines.push(this.buffer.slice(0, end));
      this.buffer = this.buffer.slice(end + 2);
    }
    if (this.buffer.length > MAX_LINE) {
      this.fail(new Pop3Error('The server sent a line longer than 8 KB.', 'protocol'));
      this.socket.destroy();
      return;
    }
    this.flush();
  }

  private flush(): void {
    if (!this.waiting) return;
    const next = this.lines.shift();
    if (next !== undefined) {
      const waiter = this.waiting;
      this.waiting = null;
      waiter(next);
    } else if (this.failure) {
      const waiter = this.waiting;
      this.waiting = null;
      waiter(this.failure);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.flush();
  }

  private readLine(): Promise<string> {
    return new Promise((done, fail) => {
      this.waiting = (line) => (line instanceof Error ? fail(line) : done(line));
      this.flush();
    });
  }

  private async readMultiline(max = 1024 * 1024): Promise<string[]> {
    const out: string[] = [];
    let size = 0;
    for (;;) {
      const line = await this.readLine();
      if (line === '.') return out;
      size += line.length + 2;
      if (size > max) throw new Pop3Error('The server sent more data than expected.', 'protocol');
      out.push(line.startsWith('..') ? line.slice(1) : line);
    }
  }

  /** Sends one command line. Errors quote the server, never the command (it may hold credentials). */
  private async command(line: string): Promise<string> {
    if (/[\r\n]/.test(line)) throw new Pop3Error('A command contained a line break and was not sent.', 'protocol');
    this.socket.write(`${line}\r\n`);
    return this.readLine();
  }

  // async: a refusal is a rejection, which every caller awaits (or returns).
  // eslint-disable-next-line @typescript-eslint/require-await
  private async expectOk(line: string, stage: Pop3Error['stage']): Promise<void> {
    if (line.startsWith('+OK')) return;
    if (!line.startsWith('-ERR')) throw new Pop3Error(`The server answered in an unknown way: ${printable(line)}`, 'protocol');
    const text = line.slice(4).trim();
    const code = /^\[([A-Z/-]+)\]/.exec(text)?.[1] ?? null;
    throw new Pop3Error(printable(text) || 'The server refused the command.', stage, code);
  }
}

const isContinuation = (line: string) => line.startsWith('+ ') || line === '+';
// SNI takes host names only.
const servername = (host: string) => (/^[\d.]+$|:/.test(host) ? undefined : host);
// eslint-disable-next-line no-control-regex
const printable = (text: string) => text.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 200);
