import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Button, Input, Loader, MessageBox, Text } from '@adminjs/design-system';

const api = new ApiClient();

/** Copy URL: an authorization URL to open in a private window, signed in as the mailbox user. */
const CopyUrlAction: React.FC<ActionProps> = ({ record, resource, action }) => {
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data: {} })
      .then(({ data }: { data: { authorizeUrl?: string; notice?: { message: string } } }) =>
        data.authorizeUrl ? setUrl(data.authorizeUrl) : setError(data.notice?.message ?? 'The URL could not be created.'))
      .catch(() => setError('The URL could not be created. Reload the page and try again.'));
  }, []);
  const copy = async () => {
    await navigator.clipboard?.writeText(url!);
    setCopied(true);
  };
  if (error) return <Box variant="container"><MessageBox variant="danger" message={error} /></Box>;
  if (!url) return <Box variant="container"><Loader /></Box>;
  return (
    <Box variant="container">
      <Text mb="lg">
        Open this address in a private (incognito) window and sign in as the user whose mailbox the client will use.
        It works once and expires in 10 minutes. Reload this client's page afterwards to see the result.
      </Text>
      <Box flex>
        <Input id="authorize-url" value={url} readOnly width={1} onFocus={(e: React.FocusEvent<HTMLInputElement>) => e.target.select()} />
        <Button ml="default" type="button" onClick={copy}>{copied ? 'Copied' : 'Copy'}</Button>
      </Box>
    </Box>
  );
};

export default CopyUrlAction;
