import React, { useEffect, useState } from 'react';
import { ApiClient, ViewHelpers } from 'adminjs';
import { Box, H2, H5, Link, Text } from '@adminjs/design-system';

interface Summary {
  clients: { total: number; valid: number; attention: { id: string; name: string; status: string; lastError: string | null }[] };
  mailboxes: { total: number; ok: number; failing: Failing[]; unchecked: number };
  directories: { failing: Failing[] };
}

type Failing = { id: string; name: string; message: string | null };

const api = new ApiClient();
const h = new ViewHelpers();

/** What an admin needs first: which clients need validating, which mailboxes and directories fail their test. */
const Dashboard: React.FC = () => {
  const [data, setData] = useState<Summary | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    api.getDashboard().then((res) => setData(res.data as Summary), () => setFailed(true));
  }, []);
  if (failed) return <Box variant="container" m="xl"><Text>The summary could not be loaded. Reload the page to try again.</Text></Box>;
  if (!data) return <Box variant="container" m="xl"><Text>Loading…</Text></Box>;
  const card = (title: string, value: string, detail: string, href: string) => (
    <Box variant="container" mr="xl" mb="xl" width={[1, 1 / 2, 1 / 3]} style={{ minWidth: 260 }}>
      <H5>{title}</H5>
      <H2 mb="sm">{value}</H2>
      <Text variant="sm" color="grey60">{detail}</Text>
      <Link href={href}>Open the list</Link>
    </Box>
  );
  const failingList = (title: string, resource: string, items: Failing[]) =>
    items.length ? (
      <Box variant="container" mb="xl" data-testid={`${resource}-failing`}>
        <H5>{title}</H5>
        {items.map((m) => (
          <Text key={m.id} mb="default">
            <Link href={h.recordActionUrl({ resourceId: resource, recordId: m.id, actionName: 'show' })}>{m.name}</Link>{m.message ? ` — ${m.message}` : ''}
          </Text>
        ))}
      </Box>
    ) : null;
  return (
    <Box p="xl">
      <H2 mb="xl">OAuth Mail</H2>
      <Box flex flexWrap="wrap">
        {card('OAuth clients', `${data.clients.valid} of ${data.clients.total} valid`, `${data.clients.attention.length} need attention`, h.resourceUrl({ resourceId: 'OAuthClient' }))}
        {card('Mailboxes', `${data.mailboxes.ok} of ${data.mailboxes.total} OK`, `${data.mailboxes.failing.length} failing, ${data.mailboxes.unchecked} never checked`, h.resourceUrl({ resourceId: 'Mailbox' }))}
      </Box>
      {data.clients.attention.length ? (
        <Box variant="container" mb="xl" data-testid="clients-attention">
          <H5>Clients to validate</H5>
          {data.clients.attention.map((c) => (
            <Text key={c.id} mb="default">
              <Link href={h.recordActionUrl({ resourceId: 'OAuthClient', recordId: c.id, actionName: 'show' })}>{c.name}</Link>{' '}
              — {c.status === 'needs_revalidation' ? 'must be validated again' : c.status === 'error' ? 'validation failed' : 'not validated yet'}
              {c.lastError ? `: ${c.lastError}` : ''}
            </Text>
          ))}
        </Box>
      ) : null}
      {failingList('Mailboxes failing their last check', 'Mailbox', data.mailboxes.failing)}
      {failingList('LDAP directories failing their last test', 'LdapDirectory', data.directories.failing)}
      {!data.clients.total ? (
        <Box variant="container">
          <Text>Start with an OAuth client: <Link href={h.resourceActionUrl({ resourceId: 'OAuthClient', actionName: 'new' })}>create one</Link>, save it, register its Redirect Uri at the provider, then Validate.</Text>
        </Box>
      ) : null}
    </Box>
  );
};

export default Dashboard;
