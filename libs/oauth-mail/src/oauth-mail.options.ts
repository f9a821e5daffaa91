import type { OAuthProviderKind } from './entities/oauth-client.enums.js';

/** Options of `OAuthMailModule.forRoot` / `forRootAsync`. The library reads nothing from the environment. */
export interface OAuthMailModuleOptions {
  /** The key that encrypts every secret: `<key id>:<base64 of 32 bytes>` (or the bare key). */
  encryptionKey: string;
  /** Older keys that still decrypt while a rotation is under way. */
  previousEncryptionKeys?: string[];
  /** The app's public base URL, such as https://mail-admin.example.com; redirect URIs are built from it, never from request headers. */
  publicBaseUrl: string;
  /** Deadline of every call to a provider, in ms. Default 30 000. */
  httpTimeoutMs?: number;
  /** Replaces a provider's public host in its preset endpoints. For tests against a local authorization server only. */
  providerBaseUrls?: Partial<Record<OAuthProviderKind, string>>;
}
