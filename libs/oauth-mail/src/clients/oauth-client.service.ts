import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { LdapDirectoryService } from '../directories/ldap-directory.service.js';
import { SecretVault } from '../crypto/secret-vault.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { ValidationStatus } from '../entities/oauth-client.enums.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { OAuthProviderRegistry, type EffectiveClientSettings } from '../providers/oauth-provider.registry.js';
import type { TokenEndpoint } from '../tokens/token-endpoint.client.js';
import type { Validated } from '../validation/input-reader.js';
import {
  OAUTH_CLIENT_CREDENTIAL_FIELDS,
  validateOAuthClient,
} from '../validation/oauth-client.validator.js';

export const DEFAULT_CALLBACK_PATH = '/oauth/callback';

/** Column values ready to write: validated, secrets encrypted. */
export type OAuthClientValues = Partial<OAuthClient>;

/** Creates and updates OAuth clients, and answers what is derived from them. */
@Injectable()
export class OAuthClientService {
  constructor(
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly vault: SecretVault,
    private readonly directories: LdapDirectoryService,
    private readonly providers: OAuthProviderRegistry,
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) private readonly options: OAuthMailModuleOptions,
  ) {}

  /**
   * Validates input for a new (`existing` null) or existing client and returns
   * the values to write. Changing the provider, endpoints, client id or scope
   * drops the stored tokens: they belong to the old configuration, and a
   * refresh token must never be sent to an endpoint it was not issued by.
   */
  async prepare(input: Readonly<Record<string, unknown>>, existing: OAuthClient | null, id: string): Promise<Validated<OAuthClientValues>> {
    const checked = validateOAuthClient(input, existing, this.providers);
    if (!checked.ok) return checked;
    const missing = await this.directories.missing(checked.value.relatedLdaps ?? []);
    if (missing.length) {
      return { ok: false, errors: { relatedLdaps: `No LDAP directory is named ${missing.map((n) => `"${n}"`).join(', ')}. Create it under LDAP Directories first, or fix the name.` } };
    }
    const { clientSecret, ...fields } = checked.value;
    const values: OAuthClientValues = { ...fields };
    if (clientSecret) values.clientSecretEncrypted = this.vault.seal(OAuthClient, id, 'clientSecretEncrypted', clientSecret);
    if (existing && OAUTH_CLIENT_CREDENTIAL_FIELDS.some((f) => (existing[f] ?? null) !== (fields[f] ?? null))) {
      Object.assign(values, {
        accessTokenEncrypted: null,
        originalAccessTokenEncrypted: null,
        accessTokenExpiresAt: null,
        validatedAt: null,
        validatedIdentity: null,
        lastError: null,
        validationStatus: ValidationStatus.NotValidated,
      } satisfies OAuthClientValues);
    }
    return { ok: true, value: values };
  }

  async create(input: Readonly<Record<string, unknown>>): Promise<Validated<OAuthClient>> {
    const id = randomUUID();
    const prepared = await this.prepare(input, null, id);
    if (!prepared.ok) return prepared;
    return { ok: true, value: await this.clients.save(this.clients.create({ ...prepared.value, id })) };
  }

  async update(id: string, input: Readonly<Record<string, unknown>>): Promise<Validated<OAuthClient>> {
    const existing = await this.clients.findOneBy({ id });
    if (!existing) return { ok: false, errors: { id: 'This OAuth client does not exist any more.' } };
    const prepared = await this.prepare(input, existing, id);
    if (!prepared.ok) return prepared;
    return { ok: true, value: await this.clients.save(this.clients.merge(existing, prepared.value)) };
  }

  /** The URI to register at the provider; fixed per client, built from the configured public URL only. */
  redirectUri(clientId: string): string {
    return `${this.options.publicBaseUrl.replace(/\/+$/, '')}${this.options.callbackPath ?? DEFAULT_CALLBACK_PATH}/${encodeURIComponent(clientId)}`;
  }

  /** Where and how the client's token requests go: its token URL, credentials, proxy and provider hints. */
  tokenEndpoint(client: OAuthClient): TokenEndpoint {
    return {
      tokenUrl: this.settings(client).tokenUrl,
      clientId: client.clientId,
      clientSecret: this.vault.open(OAuthClient, client, 'clientSecretEncrypted') ?? '',
      proxy: client.proxy,
      verifySsl: client.verifySsl,
      hint: this.providers.hintFor(client.provider),
    };
  }

  /** Endpoints and scopes in force: filled fields override the provider's own. */
  settings(client: OAuthClient): EffectiveClientSettings {
    return this.providers.settings(client);
  }
}
