import React from 'react';
import { BasePropertyComponent, ViewHelpers, type BasePropertyProps } from 'adminjs';
import { Box, Button, Icon } from '@adminjs/design-system';

// Paths under the panel's root path, wherever the app mounts it.
const h = new ViewHelpers();

/**
 * The mailbox's OAuth Client field, as in the seed: the select of existing
 * clients, '+' to create one and the pencil to edit the selected one (each in a
 * new tab, so the mailbox form keeps what was typed; the select finds a new client by name).
 */
const OAuthClientReference: React.FC<BasePropertyProps> = (props) => {
  const selected = props.record?.params?.[props.property.path] as string | undefined;
  return (
    <Box flex alignItems="flex-end">
      <Box flexGrow={1}>
        <BasePropertyComponent {...props} property={{ ...props.property, components: {} }} />
      </Box>
      <Box ml="default" mb="xl" flex>
        <Button as="a" href={h.resourceActionUrl({ resourceId: 'OAuthClient', actionName: 'new' })} target="_blank" rel="noopener" size="icon" variant="outlined" title="Create a new OAuth client" data-testid="oauth-client-create" type="button">
          <Icon icon="Plus" />
        </Button>
        {selected ? (
          <Button as="a" href={h.recordActionUrl({ resourceId: 'OAuthClient', recordId: selected, actionName: 'edit' })} target="_blank" rel="noopener" size="icon" variant="outlined" ml="sm" title="Edit the selected OAuth client" data-testid="oauth-client-edit" type="button">
            <Icon icon="Edit2" />
          </Button>
        ) : null}
      </Box>
    </Box>
  );
};

export default OAuthClientReference;
