import React from 'react';
import { Badge } from '@adminjs/design-system';
import type { BasePropertyProps } from 'adminjs';

const LABELS: Record<string, [string, 'success' | 'danger' | 'info' | 'secondary']> = {
  valid: ['Valid', 'success'],
  ok: ['OK', 'success'],
  not_validated: ['Not validated', 'secondary'],
  needs_revalidation: ['Validate again', 'danger'],
  error: ['Error', 'danger'],
  failed: ['Failed', 'danger'],
};

/** Validation and check status as coloured badges, in the grid and on the record page. */
const StatusBadge: React.FC<BasePropertyProps> = ({ property, record, where }) => {
  const value = record?.params?.[property.path] as string | null | undefined;
  const badge = value ? <Badge variant={LABELS[value]?.[1] ?? 'secondary'} size="sm">{LABELS[value]?.[0] ?? value}</Badge> : <span>—</span>;
  if (where === 'list') return badge;
  return (
    <div style={{ marginBottom: 24 }}>
      <div style={{ fontSize: 12, color: '#898A9A', marginBottom: 4 }}>{property.label}</div>
      {badge}
    </div>
  );
};

export default StatusBadge;
