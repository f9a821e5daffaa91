import React from 'react';
import { BasePropertyComponent, type BasePropertyProps } from 'adminjs';
import { Box, Text } from '@adminjs/design-system';

/**
 * A form field as AdminJS renders it for its type, with two additions: it is
 * shown only where it applies (`custom.showIf` maps other fields to the values
 * that make it relevant, for example Tenant ID only for Azure), and in forms
 * its help text is a line under the field instead of a tooltip.
 */
const FormField: React.FC<BasePropertyProps> = (props) => {
  const { property, record, where } = props;
  const showIf = (property.custom?.showIf ?? {}) as Record<string, string[]>;
  const applies = Object.entries(showIf).every(([field, values]) => values.includes(String(record?.params?.[field] ?? '')));
  if (!applies) return null;
  const help = where === 'edit' ? property.description : undefined;
  const field = <BasePropertyComponent {...props} property={{ ...property, components: {}, description: help ? undefined : property.description }} />;
  if (!help) return field;
  return (
    <Box mb="xl">
      {field}
      <Text variant="sm" color="grey80" style={{ marginTop: -24 }} data-testid={`help-${property.path}`}>{help}</Text>
    </Box>
  );
};

export default FormField;
