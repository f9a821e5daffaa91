import React, { useEffect, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Loader, MessageBox, Text } from '@adminjs/design-system';

const api = new ApiClient();

/** Validate: asks the server for a fresh authorization URL (POST), then leaves for the provider. */
const ValidateAction: React.FC<ActionProps> = ({ record, resource, action }) => {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data: {} })
      .then(({ data }: { data: { authorizeUrl?: string; notice?: { message: string } } }) => {
        if (data.authorizeUrl) window.location.assign(data.authorizeUrl);
        else setError(data.notice?.message ?? 'Validation could not start.');
      })
      .catch(() => setError('Validation could not start. Reload the page and try again.'));
  }, []);
  return (
    <Box variant="container">
      {error ? <MessageBox variant="danger" message={error} /> : (
        <Box flex alignItems="center">
          <Loader />
          <Text ml="lg">Opening the provider's sign-in page…</Text>
        </Box>
      )}
    </Box>
  );
};

export default ValidateAction;
