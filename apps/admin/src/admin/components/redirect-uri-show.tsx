import React, { useEffect, useState } from 'react';
import { useNotice, type ShowPropertyProps } from 'adminjs';
import { Box, Button, Label, Text } from '@adminjs/design-system';

/**
 * The Redirect Uri with a copy button. After a Validate it also announces the
 * outcome, read from the record (status, identity, last error).
 */
const RedirectUriShow: React.FC<ShowPropertyProps> = ({ record, property }) => {
  const addNotice = useNotice();
  const [copied, setCopied] = useState(false);
  const uri = record.params[property.path] as string;
  useEffect(() => {
    const result = new URLSearchParams(window.location.search).get('validation');
    if (!result) return;
    const identity = record.params.validatedIdentity as string | null;
    if (result === 'ok') addNotice({ message: `Client validated${identity ? ` as ${identity}` : ''}`, type: 'success' });
    // The message comes from the record, never from the address bar.
    else addNotice({ message: (record.params.lastError as string) ?? 'Validation failed.', type: 'error' });
    window.history.replaceState(null, '', window.location.pathname);
  }, []);
  return (
    <Box mb="xl">
      <Label>Redirect Uri</Label>
      <Box flex alignItems="center">
        <Text id="redirect-uri" style={{ wordBreak: 'break-all' }}>{uri}</Text>
        <Button ml="default" size="sm" type="button" onClick={async () => { await navigator.clipboard?.writeText(uri); setCopied(true); }}>
          {copied ? 'Copied' : 'Copy'}
        </Button>
      </Box>
      <Text variant="sm" color="grey60">Register this address as a Web redirect URI in the provider's app registration.</Text>
    </Box>
  );
};

export default RedirectUriShow;
