import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { SecretVault } from '../crypto/secret-vault.js';
import { Mailbox } from '../entities/mailbox.entity.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import { OAuthProviderRegistry } from '../providers/oauth-provider.registry.js';
import { transportsInForce } from '../transports/mail-transport.registry.js';
import type { Validated } from '../validation/input-reader.js';
import { validateMailbox, type OAuthClientLookup } from '../validation/mailbox.validator.js';

/** Column values ready to write: validated, password encrypted. */
export type MailboxValues = Partial<Mailbox>;

/** Creates and updates mailboxes. */
@Injectable()
export class MailboxSettingsService {
  constructor(
    @InjectRepository(Mailbox) private readonly mailboxes: Repository<Mailbox>,
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly vault: SecretVault,
    private readonly providers: OAuthProviderRegistry,
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) options: OAuthMailModuleOptions,
  ) {
    this.transports = transportsInForce(options.transports);
  }

  private readonly transports: ReturnType<typeof transportsInForce>;

  /** Validates input for a new (`existing` null) or existing mailbox and returns the values to write. */
  async prepare(input: Readonly<Record<string, unknown>>, existing: Mailbox | null, id: string): Promise<Validated<MailboxValues>> {
    const raw = input.oauthClientId !== undefined ? input.oauthClientId : existing?.oauthClientId;
    const clientId = typeof raw === 'string' ? raw.trim() : '';
    let client: OAuthClientLookup = null;
    if (clientId) client = (await this.clients.findOneBy({ id: clientId })) ?? 'missing';
    const checked = validateMailbox(input, existing, client, {
      transportFields: (protocol) => this.transports[protocol]?.fields ?? [],
      tokenHostRefusal: (c, host) => this.providers.mailHostRefusal(c, host),
    });
    if (!checked.ok) return checked;
    const { password, ...fields } = checked.value;
    const values: MailboxValues = { ...fields };
    if (password) values.passwordEncrypted = this.vault.seal(Mailbox, id, 'passwordEncrypted', password);
    return { ok: true, value: values };
  }

  async create(input: Readonly<Record<string, unknown>>): Promise<Validated<Mailbox>> {
    const id = randomUUID();
    const prepared = await this.prepare(input, null, id);
    if (!prepared.ok) return prepared;
    return { ok: true, value: await this.mailboxes.save(this.mailboxes.create({ ...prepared.value, id })) };
  }

  async update(id: string, input: Readonly<Record<string, unknown>>): Promise<Validated<Mailbox>> {
    const existing = await this.mailboxes.findOneBy({ id });
    if (!existing) return { ok: false, errors: { id: 'This mailbox does not exist any more.' } };
    const prepared = await this.prepare(input, existing, id);
    if (!prepared.ok) return prepared;
    return { ok: true, value: await this.mailboxes.save(this.mailboxes.merge(existing, prepared.value)) };
  }
}
