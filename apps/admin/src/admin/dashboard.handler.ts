import { LdapDirectory, Mailbox, OAuthClient } from '@app/oauth-mail';
import { In, Not, type DataSource } from 'typeorm';

const LIST = 20;

/** The dashboard's figures: clients that need an admin, mailboxes and directories failing their test. Never a secret. */
export async function dashboardSummary(dataSource: DataSource) {
  const clients = dataSource.getRepository(OAuthClient);
  const mailboxes = dataSource.getRepository(Mailbox);
  const [clientTotal, valid, attention, mailboxTotal, ok, failing] = await Promise.all([
    clients.count(),
    clients.count({ where: { validationStatus: 'valid' } }),
    clients.find({
      select: ['id', 'name', 'validationStatus', 'lastError'],
      where: { validationStatus: Not(In(['valid'])), status: 'enabled', type: 'mailbox' },
      order: { name: 'ASC' },
      take: LIST,
    }),
    mailboxes.count(),
    mailboxes.count({ where: { lastCheckStatus: 'ok' } }),
    mailboxes.find({ select: ['id', 'name', 'lastCheckMessage'], where: { lastCheckStatus: 'failed', status: 'enabled' }, order: { name: 'ASC' }, take: LIST }),
  ]);
  const failed = await mailboxes.count({ where: { lastCheckStatus: 'failed' } });
  const directoriesFailing = await dataSource.getRepository(LdapDirectory).find({
    select: ['id', 'name', 'lastTestMessage'],
    where: { lastTestStatus: 'failed' },
    order: { name: 'ASC' },
    take: LIST,
  });
  return {
    clients: { total: clientTotal, valid, attention: attention.map((c) => ({ id: c.id, name: c.name, status: c.validationStatus, lastError: c.lastError })) },
    mailboxes: { total: mailboxTotal, ok, failing: failing.map((m) => ({ id: m.id, name: m.name, message: m.lastCheckMessage })), unchecked: mailboxTotal - ok - failed },
    directories: { failing: directoriesFailing.map((d) => ({ id: d.id, name: d.name, message: d.lastTestMessage })) },
  };
}
