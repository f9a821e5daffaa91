import React, { useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Button, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';

const api = new ApiClient();

const SAMPLE = JSON.stringify({ sub: '1234', email: 'ann@example.com', email_verified: true, name: 'Ann Example', hd: 'example.com' }, null, 2);

type Outcome =
  | { ok: true; email: string; name: string | null; role: string }
  | { ok: false; message: string; detail?: string };

/**
 * Test sign-in rules: runs User Fields and User Create Expression (the stored
 * one, or an edited one) against sample claims in the same sandbox as a real
 * sign-in, and says what a first sign-in would do. Nothing is saved.
 */
const TestRulesAction: React.FC<ActionProps> = ({ record, resource, action }) => {
  const [claims, setClaims] = useState(SAMPLE);
  const [directory, setDirectory] = useState('');
  const [expression, setExpression] = useState(String(record?.params.userCreateExpression ?? ''));
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [running, setRunning] = useState(false);
  const run = () => {
    setRunning(true);
    api
      .recordAction({ resourceId: resource.id, recordId: record!.id, actionName: action.name, data: { claims, directory, expression } })
      .then(({ data }: { data: { rules?: Outcome; notice?: { message: string } } }) =>
        setOutcome(data.rules ?? { ok: false, message: data.notice?.message ?? 'The rules could not be tested.' }))
      .catch(() => setOutcome({ ok: false, message: 'The rules could not be tested. Reload the page and try again.' }))
      .finally(() => setRunning(false));
  };
  return (
    <Box variant="container">
      <Text mb="lg">What a person signing in for the first time with these claims would get. Nothing is saved; edit the expression here to try it before saving it on the client.</Text>
      <Label htmlFor="sample-claims">Sample claims (JSON, as in the ID token or Endpoint User Data)</Label>
      <TextArea id="sample-claims" width={1} rows={8} value={claims} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setClaims(e.target.value)} />
      <Label mt="lg" htmlFor="sample-directory">Directory entry (optional JSON of mapped attributes, as Related LDAPs would give)</Label>
      <TextArea id="sample-directory" width={1} rows={2} value={directory} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setDirectory(e.target.value)} />
      <Label mt="lg" htmlFor="test-expression">User Create Expression</Label>
      <TextArea id="test-expression" width={1} rows={3} value={expression} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setExpression(e.target.value)} />
      <Button mt="lg" type="button" variant="contained" disabled={running} onClick={run}>Run</Button>
      {outcome && (
        <Box mt="lg" id="rules-outcome">
          {outcome.ok
            ? <MessageBox variant="success" message={`A first sign-in creates ${outcome.email}${outcome.name ? ` (${outcome.name})` : ''} with the role ${outcome.role}.`} />
            : <MessageBox variant="danger" message={`Refused: ${outcome.message}${outcome.detail ? ` (${outcome.detail})` : ''}`} />}
        </Box>
      )}
    </Box>
  );
};

export default TestRulesAction;
