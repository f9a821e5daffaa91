import React from 'react';
import { BasePropertyComponent, type BasePropertyProps } from 'adminjs';

/**
 * Shows a field only where it applies: `custom.showIf` maps other fields to the
 * values that make this one relevant (for example Tenant ID only for Azure).
 * Otherwise AdminJS's own component for the type renders it.
 */
const ConditionalProperty: React.FC<BasePropertyProps> = (props) => {
  const { property, record } = props;
  const showIf = (property.custom?.showIf ?? {}) as Record<string, string[]>;
  const applies = Object.entries(showIf).every(([field, values]) => values.includes(String(record?.params?.[field] ?? '')));
  if (!applies) return null;
  return <BasePropertyComponent {...props} property={{ ...property, components: {} }} />;
};

export default ConditionalProperty;
