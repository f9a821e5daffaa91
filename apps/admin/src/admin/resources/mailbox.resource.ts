import { checkedFields, MAIL_TRANSPORTS, MAILBOX_EDITABLE_FIELDS, Mailbox, type MailboxField, type MailboxService, type MailboxSettingsService } from '@app/oauth-mail';
import { connectionTestAction } from '../connection-test.action.js';
import { Components } from '../component-loader.js';
import type { DataSource } from 'typeorm';
import type { ActionContext, ActionRequest, ResourceWithOptions } from 'adminjs';
import { BulkCheckJobs } from '../bulk-check.jobs.js';
import { SecureTypeormResource } from '../secure-typeorm.resource.js';
import { saveHook } from '../save-hook.js';
import { OAUTH_MAIL_NAVIGATION } from '../navigation.js';
import { onlyFor } from '../only-for.js';

/** The Mailbox grid and form; the password is write-only. */
export function mailboxResource(mailboxes: MailboxSettingsService, mail: MailboxService, dataSource: DataSource): ResourceWithOptions {
  const repo = dataSource.getRepository(Mailbox);
  const protocolsWith = (field: MailboxField) => Object.entries(MAIL_TRANSPORTS).filter(([, t]) => t.fields.includes(field)).map(([protocol]) => protocol);
  const resource = new SecureTypeormResource(Mailbox, (row) => ({
    passwordStatus: row.passwordEncrypted ? 'set' : 'not set',
  }));
  const jobs = new BulkCheckJobs(mail, dataSource);
  /**
   * Check all (every enabled mailbox) and Check selected: a POST starts the run, and
   * POSTs with `job` (and `since`, the lines already shown) read its progress.
   */
  const bulkCheck = (actionType: 'resource' | 'bulk') => ({
    actionType,
    icon: 'Activity',
    component: Components.BulkCheckAction,
    handler: async (request: ActionRequest, _res: unknown, { records, currentAdmin }: ActionContext) => {
      if (request.method !== 'post') return { records: (records ?? []).map((r) => r.toJSON(currentAdmin)) };
      const owner = String(currentAdmin?.id ?? currentAdmin?.email ?? '');
      const { job, since } = (request.payload ?? {}) as { job?: unknown; since?: unknown };
      if (typeof job === 'string' && job) {
        const progress = jobs.read(owner, job, Number(since ?? 0));
        return progress
          ? { progress }
          : { notice: { message: 'This check run is unknown here: it finished long ago, or it runs in another server process. Start it again.', type: 'error' } };
      }
      return { progress: await jobs.start(owner, actionType === 'resource' ? 'all' : (records ?? []).map((r) => String(r.id()))) };
    },
  });
  const save = saveHook({
    editable: MAILBOX_EDITABLE_FIELDS,
    load: (id) => repo.findOneBy({ id }),
    prepare: (input, existing, id) => mailboxes.prepare(input, existing, id),
  });
  return {
    resource,
    options: {
      id: 'Mailbox',
      navigation: OAUTH_MAIL_NAVIGATION,
      listProperties: ['name', 'direction', 'protocol', 'host', 'oauthClientId', 'status', 'lastCheckStatus', 'lastCheckAt'],
      filterProperties: ['name', 'direction', 'protocol', 'host', 'oauthClientId', 'status', 'lastCheckStatus'],
      showProperties: [
        'name', 'direction', 'status', 'protocol', 'host', 'port', 'encryption', 'username', 'passwordStatus',
        'oauthClientId', 'folder', 'emailDisplay', 'displayName', 'lastCheckAt', 'lastCheckStatus', 'lastCheckMessage',
        'createdAt', 'updatedAt',
      ],
      editProperties: [
        'name', 'direction', 'status', 'protocol', 'host', 'port', 'encryption', 'username', 'password',
        'oauthClientId', 'folder', 'emailDisplay', 'displayName',
      ],
      sort: { sortBy: 'name', direction: 'asc' },
      properties: {
        id: { isVisible: false },
        password: { type: 'password', isVisible: { list: false, show: false, filter: false, edit: true } },
        passwordStatus: { type: 'string', isVisible: { list: false, show: true, filter: false, edit: false } },
        lastCheckMessage: { type: 'textarea', isVisible: { list: false, show: true, filter: false, edit: false } },
        lastCheckStatus: { components: { list: Components.StatusBadge, show: Components.StatusBadge } },
        oauthClientId: {
          components: { edit: Components.OAuthClientReference },
          description: 'Sign in with this client\'s token instead of a password. + creates a client, the pencil edits the selected one.',
        },
        username: { description: 'Usually the mailbox address. With an OAuth client it may be a shared mailbox the validated user can open.' },
        folder: onlyFor({ protocol: protocolsWith('folder') }),
        emailDisplay: { description: 'The From address, if the server allows one other than the username.', ...onlyFor({ direction: ['outgoing'] }) },
        displayName: { description: 'The From name.', ...onlyFor({ direction: ['outgoing'] }) },
        port: { description: 'Leave empty for the standard port of the protocol and encryption (993, 995, 465, 587…).' },
      },
      actions: {
        new: { before: [save], component: Components.NewWithDefaults, custom: { defaults: { status: 'enabled' } } },
        edit: { before: [save] },
        check: connectionTestAction((id) => mail.check(id), checkedFields),
        checkAll: bulkCheck('resource'),
        checkSelected: bulkCheck('bulk'),
      },
    },
  };
}
