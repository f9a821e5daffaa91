import { rootCertificates } from 'node:tls';

/** CAs to trust for mail and directory servers: the system's plus the configured extras (undefined: the system's only). */
export function trustedCa(extra: string[] | undefined): string[] | undefined {
  return extra?.length ? [...rootCertificates, ...extra] : undefined;
}
