import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Not, type Repository } from 'typeorm';
import type { Client } from 'ldapts';
import { EgressPolicy } from '../egress/egress-policy.js';
import { SecretVault } from '../crypto/secret-vault.js';
import { LdapDirectory } from '../entities/ldap-directory.entity.js';
import { OAuthClient } from '../entities/oauth-client.entity.js';
import { CheckStatus } from '../entities/mailbox.enums.js';
import { RECORDED_MESSAGE_MAX, updateStatus } from '../entities/status-update.js';
import type { ErrorCode } from '../errors/error-codes.js';
import { OAUTH_MAIL_MODULE_OPTIONS } from '../oauth-mail.module-definition.js';
import type { OAuthMailModuleOptions } from '../oauth-mail.options.js';
import type { Validated } from '../validation/input-reader.js';
import { validateLdapDirectory } from '../validation/ldap-directory.validator.js';
import { cleanFieldValue } from '../provisioning/user-fields.mapper.js';
import { buildSearchFilter } from './ldap-filter.js';
import { withLdap, type LdapStage } from './ldap.connection.js';

/** The outcome of Test connection (bind, then read Base DN). */
/** A Test connection's outcome and when it finished, as the directory's `lastTest*` columns record it. */
export type DirectoryTestResult = ({ ok: true; message: string } | { ok: false; stage: LdapStage; code: ErrorCode; message: string }) & { testedAt: Date };

/** The directory columns a Test connection records. */
export function testedFields(result: DirectoryTestResult): { lastTestAt: Date; lastTestStatus: CheckStatus; lastTestMessage: string } {
  return { lastTestAt: result.testedAt, lastTestStatus: result.ok ? CheckStatus.Ok : CheckStatus.Failed, lastTestMessage: result.message };
}

/** A person found in a related directory: the entry and the mapped attributes (a list for `attribute[]`). */
export type DirectoryLookup =
  | { ok: true; directory: string; dn: string; fields: Record<string, string | string[]> }
  | { ok: false; code: ErrorCode; message: string };

/** Creates, tests and searches the LDAP directories that sign-in links people to. */
@Injectable()
export class LdapDirectoryService {
  constructor(
    @InjectRepository(LdapDirectory) private readonly directories: Repository<LdapDirectory>,
    @InjectRepository(OAuthClient) private readonly clients: Repository<OAuthClient>,
    private readonly vault: SecretVault,
    private readonly egress: EgressPolicy,
    @Inject(OAUTH_MAIL_MODULE_OPTIONS) private readonly options: OAuthMailModuleOptions,
  ) {}

  /** Validates input for a new (`existing` null) or existing directory and returns the values to write. */
  async prepare(input: Readonly<Record<string, unknown>>, existing: LdapDirectory | null, id: string): Promise<Validated<Partial<LdapDirectory>>> {
    const checked = validateLdapDirectory(input, existing);
    if (!checked.ok) return checked;
    const { bindPassword, ...fields } = checked.value;
    if (await this.directories.existsBy({ name: fields.name, id: Not(id) })) {
      return { ok: false, errors: { name: 'Another directory has this name; choose another.' } };
    }
    if (existing?.bindPasswordEncrypted && !bindPassword && fields.bindDn && (existing.url !== fields.url || existing.bindDn !== fields.bindDn)) {
      // The write-only password is never sent to a server or account of the editor's choosing.
      return { ok: false, errors: { bindPassword: 'Enter the bind password again: the URL or Bind DN changed, and the stored one is never sent to a new server.' } };
    }
    if (existing && existing.name !== fields.name) {
      const refusal = await this.inUse(existing.name, 'renamed');
      if (refusal) return { ok: false, errors: { name: refusal } };
    }
    const values: Partial<LdapDirectory> = { ...fields };
    if (bindPassword) values.bindPasswordEncrypted = this.vault.seal(LdapDirectory, id, 'bindPasswordEncrypted', bindPassword);
    // Without a bind account the stored password has no use left.
    if (!fields.bindDn) values.bindPasswordEncrypted = null;
    return { ok: true, value: values };
  }

  async create(input: Readonly<Record<string, unknown>>): Promise<Validated<LdapDirectory>> {
    const id = randomUUID();
    const prepared = await this.prepare(input, null, id);
    if (!prepared.ok) return prepared;
    return { ok: true, value: await this.directories.save(this.directories.create({ ...prepared.value, id })) };
  }

  async update(id: string, input: Readonly<Record<string, unknown>>): Promise<Validated<LdapDirectory>> {
    const existing = await this.directories.findOneBy({ id });
    if (!existing) return { ok: false, errors: { id: 'This directory does not exist any more.' } };
    const prepared = await this.prepare(input, existing, id);
    if (!prepared.ok) return prepared;
    return { ok: true, value: await this.directories.save(this.directories.merge(existing, prepared.value)) };
  }

  /** Why the directory may not be deleted (OAuth clients still name it), or null. */
  async deletionRefusal(id: string): Promise<string | null> {
    const directory = await this.directories.findOneBy({ id });
    return directory ? this.inUse(directory.name, 'deleted') : null;
  }

  /** Related LDAPs hold names: a directory they name keeps its name and stays. */
  private async inUse(name: string, what: 'renamed' | 'deleted'): Promise<string | null> {
    const users = await this.clients.find({ where: { type: 'user' }, select: ['name', 'relatedLdaps'] });
    const names = users.filter((c) => c.relatedLdaps?.includes(name)).map((c) => `"${c.name}"`);
    return names.length ? `OAuth clients ${names.join(', ')} name this directory in Related LDAPs, so it cannot be ${what}. Change Related LDAPs there first.` : null;
  }

  /** The names among `names` that match no directory. */
  async missing(names: readonly string[]): Promise<string[]> {
    if (!names.length) return [];
    const found = new Set((await this.directories.find({ where: { name: In([...names]) }, select: ['name'] })).map((d) => d.name));
    return names.filter((n) => !found.has(n));
  }

  /** Test connection: connect, bind and read Base DN; the outcome is stored on the directory. */
  async test(id: string): Promise<DirectoryTestResult> {
    const directory = await this.directories.findOneBy({ id });
    if (!directory) return { ok: false, stage: 'connect', code: 'NOT_FOUND', message: 'This directory does not exist any more.', testedAt: new Date() };
    const outcome = await this.withDirectory(directory, (client) => client.search(directory.baseDn, { scope: 'base', attributes: ['1.1'] }));
    const found = outcome.ok
      ? { ok: true as const, message: `Connection Successful: bound${directory.bindDn ? ` as ${directory.bindDn}` : ' anonymously'} and read ${directory.baseDn}.` }
      : { ok: false as const, stage: outcome.stage, code: outcome.code, message: outcome.message };
    // Cut to what the column keeps, so the result and the record say the same.
    const result: DirectoryTestResult = { ...found, message: found.message.slice(0, RECORDED_MESSAGE_MAX), testedAt: new Date() };
    await updateStatus(this.directories, directory.id, testedFields(result));
    return result;
  }

  /**
   * Looks `username` up in the named directories, in order, and returns the
   * first match with its mapped attributes. A directory that cannot be asked
   * ends the lookup with its error: skipping it could link the wrong entry.
   */
  async findPerson(names: readonly string[], username: string): Promise<DirectoryLookup> {
    const rows = await this.directories.findBy({ name: In([...names]) });
    for (const name of names) {
      const directory = rows.find((d) => d.name === name);
      if (!directory) return { ok: false, code: 'LDAP_DIRECTORY_MISSING', message: `The related directory "${name}" does not exist any more.` };
      const attributes = Object.values(directory.attributeMap ?? {}).map((a) => a.replace(LIST_SUFFIX, ''));
      const outcome = await this.withDirectory(directory, (client) =>
        client.search(directory.baseDn, { scope: 'sub', filter: buildSearchFilter(directory.searchFilter, username), attributes: attributes.length ? attributes : ['1.1'], sizeLimit: 2 }),
      );
      if (!outcome.ok) {
        // More matches than sizeLimit end the search with sizeLimitExceeded.
        if (outcome.code === 'LDAP_USER_AMBIGUOUS') return ambiguous(name);
        return { ok: false, code: outcome.code, message: `Directory "${name}": ${outcome.message}` };
      }
      const entries = outcome.value.searchEntries;
      if (entries.length > 1) return ambiguous(name);
      if (entries.length === 1) {
        const entry = entries[0];
        const fields: Record<string, string | string[]> = {};
        for (const [field, mapped] of Object.entries(directory.attributeMap ?? {})) {
          const attribute = mapped.replace(LIST_SUFFIX, '');
          const key = Object.keys(entry).find((k) => k.toLowerCase() === attribute.toLowerCase());
          const values = (key === undefined ? [] : [entry[key]].flat()).filter((v): v is string => typeof v === 'string' && v !== '').map(cleanFieldValue);
          // `memberOf[]`: every value, for User Create Expression (an empty list when there is none).
          if (mapped !== attribute) fields[field] = values.slice(0, 200);
          else if (values.length) fields[field] = values[0];
        }
        return { ok: true, directory: name, dn: entry.dn, fields };
      }
    }
    return { ok: false, code: 'LDAP_USER_NOT_FOUND', message: `${username} was not found in ${names.map((n) => `"${n}"`).join(', ')}.` };
  }

  /** Connected and bound to the directory, unless its host is in a blocked network. */
  private async withDirectory<T>(directory: LdapDirectory, work: (client: Client) => Promise<T>): ReturnType<typeof withLdap<T>> {
    const refused = await this.egress.refusal(new URL(directory.url).hostname);
    if (refused) return { ok: false, stage: 'connect', code: refused.reason === 'blocked' ? 'EGRESS_BLOCKED' : 'LDAP_HOST_NOT_FOUND', message: `${refused.message} Check the URL.` };
    return withLdap(this.connection(directory), work);
  }

  private connection(directory: LdapDirectory) {
    return {
      url: directory.url,
      startTls: directory.startTls,
      bindDn: directory.bindDn,
      bindPassword: directory.bindDn ? this.vault.open(LdapDirectory, directory, 'bindPasswordEncrypted') : null,
      trustedCa: this.options.mailTrustedCa,
      timeoutMs: this.options.mailStepTimeoutMs ?? 10_000,
    };
  }
}

/** An Attribute Map value ending in [] maps every value of the attribute, as a list. */
const LIST_SUFFIX = /\[\]$/;

const ambiguous = (name: string): DirectoryLookup => ({
  ok: false,
  code: 'LDAP_USER_AMBIGUOUS',
  message: `Directory "${name}": the search filter matches more than one entry, so none was linked. Narrow Search Filter.`,
});
