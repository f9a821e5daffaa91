// Minimal types for the test relay sink (smtp-server ships none).
declare module 'smtp-server' {
  import type { Readable } from 'node:stream';
  interface Address { address: string }
  interface Session { envelope: { mailFrom: Address | false; rcptTo: Address[] } }
  export class SMTPServer {
    constructor(options: Record<string, unknown> & { onData?(stream: Readable, session: Session, done: (err?: Error) => void): void });
    listen(port: number, host: string, done: () => void): void;
    close(done: () => void): void;
  }
}
