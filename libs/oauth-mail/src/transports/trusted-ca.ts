import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';

// One context per distinct set of extra CAs: building one from the system's 140-odd roots costs
// about 30 ms of CPU, which a fleet of Checks would otherwise pay per connection.
const contexts = new Map<string, SecureContext>();
const CONTEXTS_MAX = 16;

/**
 * The TLS context for mail and directory servers: the system's CAs plus the
 * configured extras, built once and shared by every connection (undefined:
 * no extras, so Node's default context applies). Verification is unchanged:
 * callers still pass `rejectUnauthorized: true` and the server name.
 */
export function trustedContext(extra: readonly string[] | undefined): SecureContext | undefined {
  if (!extra?.length) return undefined;
  const key = extra.join('\n');
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= CONTEXTS_MAX) contexts.clear();
    context = createSecureContext({ ca: [...rootCertificates, ...extra], minVersion: 'TLSv1.2' });
    contexts.set(key, context);
  }
  return context;
}
