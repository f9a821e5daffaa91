import type { HostResolver } from './egress/egress-policy.js';
import type { MailProtocol } from './entities/mailbox.enums.js';
import type { MailTransport } from './transports/mail-transport.js';
import type { OAuthProvider } from './providers/oauth-provider.js';

/** Options of `OAuthMailModule.forRoot` / `forRootAsync`. The library reads nothing from the environment. */
export interface OAuthMailModuleOptions {
  /** The key that encrypts every secret: `<key id>:<base64 of 32 bytes>` (or the bare key). */
  encryptionKey: string;
  /** Older keys that still decrypt while a rotation is under way. */
  previousEncryptionKeys?: string[];
  /** The app's public base URL, such as https://mail-admin.example.com; redirect URIs are built from it, never from request headers. */
  publicBaseUrl: string;
  /** The path under `publicBaseUrl` where the host serves the OAuth callback; Redirect URIs are `<publicBaseUrl><callbackPath>/<client id>`. Default `/oauth/callback`. */
  callbackPath?: string;
  /** Deadline of every call to a provider, in ms. Default 30 000. */
  httpTimeoutMs?: number;
  /**
   * How long token refreshes of a client wait after a temporary failure (5xx, 429, timeout, DNS):
   * `baseMs` doubled with each failure in a row, jittered, up to `maxMs`, and at least the
   * provider's `Retry-After` up to the same `maxMs`. Meanwhile a still-unexpired access token is
   * served, and a caller needing a new one fails at once with `retryAfter`. Default 1 000 / 600 000.
   */
  refreshBackoff?: { baseMs?: number; maxMs?: number };
  /**
   * This process's clock, epoch ms. Default `Date.now`. Token freshness and refresh
   * leases run on the database's clock, measured against this one; tests inject a skewed one.
   */
  clock?: () => number;
  /** Extra CA certificates (PEM) trusted for mail and LDAP servers, besides the system's. Certificate checks are never turned off. */
  mailTrustedCa?: string[];
  /** Deadline of each mail or LDAP step (connect, greeting, login, command, search), in ms. Default 10 000, so a Check ends within about 30 s. */
  mailStepTimeoutMs?: number;
  /**
   * Networks (CIDR) that no mail server, directory or token endpoint may resolve to, against request
   * forgery from admin settings. Default `DEFAULT_BLOCKED_NETWORKS` (link-local and cloud metadata);
   * add private ranges when admins must not reach the internal network; `[]` turns the check off.
   */
  blockedNetworks?: readonly string[];
  /**
   * Resolves every host name the library connects to; the egress rule is applied to its answer at
   * connect time. Default: the system resolver. Tests inject one to reproduce DNS rebinding.
   */
  resolveHost?: HostResolver;
  /** Replaces the built-in transport of a protocol (see "Adding a transport" in the README). */
  transports?: Partial<Record<MailProtocol, MailTransport>>;
  /**
   * Providers besides (or instead of, by kind) the built-in Azure, Google and Generic ones.
   * See "Adding a provider" in the README.
   */
  providers?: readonly OAuthProvider[];
  /**
   * Test labs only: replaces a provider's public host in its endpoints (by kind, such as
   * `{ azure: 'https://127.0.0.1:8443' }`); its tokens may then also go to that host and to loopback mail servers.
   */
  providerBaseUrls?: Readonly<Record<string, string>>;
}
