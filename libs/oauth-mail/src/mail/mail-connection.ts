import { rootCertificates } from 'node:tls';
import type { MailEncryption } from '../entities/mailbox.enums.js';

/** What every mail adapter needs to connect and log in. */
export interface MailConnection {
  host: string;
  port: number;
  encryption: MailEncryption;
  username: string;
  /** A password, or an OAuth access token (XOAUTH2/OAUTHBEARER). */
  credential: { kind: 'password'; password: string } | { kind: 'token'; accessToken: string };
  /** CAs to trust: the system's plus the configured extras. */
  ca: string[] | undefined;
  timeoutMs: number;
}

export function trustedCa(extra: string[] | undefined): string[] | undefined {
  return extra?.length ? [...rootCertificates, ...extra] : undefined;
}
