import { CheckStatus, LdapDirectory, Mailbox, OAuthClient, OAuthClientType, RecordStatus, ValidationStatus } from '@app/oauth-mail';
import type { DataSource, EntityTarget, ObjectLiteral } from 'typeorm';

const LIST = 20;

type Count = { kind: 'client' | 'mailbox'; status: string | null; n: number | string };
type Listed = { kind: 'client' | 'mailbox' | 'directory'; id: string; name: string; status: string | null; message: string | null };

/**
 * The dashboard's figures: clients that need an admin, mailboxes and directories failing their test. Never a secret.
 * Two statements whatever the fleet's size: one grouped count per table, and the three short lists, each as a
 * UNION ALL. The SQL holds only names from the entity metadata and the enums' own constants, never a request value.
 */
export async function dashboardSummary(dataSource: DataSource) {
  const client = quoted(dataSource, OAuthClient);
  const mailbox = quoted(dataSource, Mailbox);
  const directory = quoted(dataSource, LdapDirectory);
  const top = (select: string, from: string, where: string, order: string) => `SELECT * FROM (SELECT ${select} FROM ${from} WHERE ${where} ORDER BY ${order} LIMIT ${LIST}) AS top`;
  const [counts, listed] = (await Promise.all([
    dataSource.query(
      [
        `SELECT 'client' AS kind, ${text(client('validationStatus'))} AS status, COUNT(*) AS n FROM ${client.table} GROUP BY ${client('validationStatus')}`,
        `SELECT 'mailbox', ${text(mailbox('lastCheckStatus'))}, COUNT(*) FROM ${mailbox.table} GROUP BY ${mailbox('lastCheckStatus')}`,
      ].join(' UNION ALL '),
    ),
    dataSource.query(
      [
        top(
          `'client' AS kind, ${client('id')} AS id, ${client('name')} AS name, ${text(client('validationStatus'))} AS status, ${client('lastError')} AS message`,
          client.table,
          `${client('validationStatus')} <> ${literal(ValidationStatus.Valid)} AND ${client('status')} = ${literal(RecordStatus.Enabled)} AND ${client('type')} = ${literal(OAuthClientType.Mailbox)}`,
          client('name'),
        ),
        top(
          `'mailbox', ${mailbox('id')}, ${mailbox('name')}, NULL, ${mailbox('lastCheckMessage')}`,
          mailbox.table,
          `${mailbox('lastCheckStatus')} = ${literal(CheckStatus.Failed)} AND ${mailbox('status')} = ${literal(RecordStatus.Enabled)}`,
          mailbox('name'),
        ),
        top(`'directory', ${directory('id')}, ${directory('name')}, NULL, ${directory('lastTestMessage')}`, directory.table, `${directory('lastTestStatus')} = ${literal(CheckStatus.Failed)}`, directory('name')),
      ].join(' UNION ALL ') + ' ORDER BY kind, name',
    ),
  ])) as [Count[], Listed[]];

  // PostgreSQL returns COUNT(*) as a string (bigint).
  const count = (kind: Count['kind'], status?: string) => counts.filter((c) => c.kind === kind && (status === undefined || c.status === status)).reduce((sum, c) => sum + Number(c.n), 0);
  const list = (kind: Listed['kind']) => listed.filter((l) => l.kind === kind);
  const mailboxTotal = count('mailbox');
  const ok = count('mailbox', CheckStatus.Ok);
  return {
    clients: {
      total: count('client'),
      valid: count('client', ValidationStatus.Valid),
      attention: list('client').map((c) => ({ id: c.id, name: c.name, status: c.status, lastError: c.message })),
    },
    mailboxes: { total: mailboxTotal, ok, failing: list('mailbox').map((m) => ({ id: m.id, name: m.name, message: m.message })), unchecked: mailboxTotal - ok - count('mailbox', CheckStatus.Failed) },
    directories: { failing: list('directory').map((d) => ({ id: d.id, name: d.name, message: d.message })) },
  };
}

/** `column('prop')` is the entity's quoted column and `.table` its quoted table, in the dialect of the app's database. */
function quoted(dataSource: DataSource, target: EntityTarget<ObjectLiteral>) {
  const metadata = dataSource.getMetadata(target);
  const escape = (name: string) => dataSource.driver.escape(name);
  const column = (property: string) => {
    const found = metadata.findColumnWithPropertyName(property);
    if (!found) throw new Error(`${metadata.name} has no column ${property}`);
    return escape(found.databaseName);
  };
  return Object.assign(column, { table: escape(metadata.tableName) });
}

/** Enum columns as text, so branches over PostgreSQL's distinct enum types can be united. */
const text = (column: string) => `CAST(${column} AS VARCHAR(40))`;

/** A string constant from the enums: only plain words ever reach the SQL. */
function literal(value: string): string {
  if (!/^[a-z_]+$/.test(value)) throw new Error(`Not a plain constant: ${value}`);
  return `'${value}'`;
}
