import 'reflect-metadata';
import { FOURTH_PROVIDER as FOURTH } from '../../../test/support/fourth-provider.js';
import { startTestApp, submit, type TestApp } from '../../../test/support/test-app.js';

const API = '/admin/api/resources';

describe('A fourth provider registered through the module options', () => {
  let t: TestApp;
  let agent: Awaited<ReturnType<TestApp['login']>>;

  beforeAll(async () => {
    t = await startTestApp({}, undefined, { providers: [FOURTH] });
    agent = await t.login();
  });
  afterAll(async () => t?.close());

  it('shows up in the client form\'s provider list with its label', async () => {
    const page = await agent.get('/admin/resources/OAuthClient/actions/new');
    const state = JSON.parse(/window\.REDUX_STATE = (\{.*\});\n/.exec(page.text)![1]) as { resources: { id: string; properties: Record<string, { availableValues?: { value: string; label: string }[] }> }[] };
    const provider = state.resources.find((r) => r.id === 'OAuthClient')!.properties.provider;
    expect(provider.availableValues).toEqual([
      { value: 'azure', label: 'Azure (Microsoft 365)' },
      { value: 'google', label: 'Google' },
      { value: 'generic', label: 'Generic OAuth 2.0' },
      { value: 'fourth', label: 'Fourth Cloud' },
    ]);
  });

  it('saves a client of it and resolves its endpoints, scopes and parameters at Validate; its mail hosts rule the mailboxes', async () => {
    const created = await submit(agent, `${API}/OAuthClient/actions/new`, { name: 'Fourth', provider: 'fourth', type: 'mailbox', clientId: 'fourth-app', clientSecret: 'CANARY-FOURTH' });
    expect(created.body.notice).toMatchObject({ type: 'success' });
    const id = created.body.record.params.id as string;
    expect(created.body.record.params.provider).toBe('fourth');

    const started = await submit(agent, `${API}/OAuthClient/records/${id}/validate`, {});
    const url = new URL(started.body.authorizeUrl);
    expect(url.origin + url.pathname).toBe('https://id.fourth.invalid/authorize');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ client_id: 'fourth-app', scope: 'mail.read mail.send offline_access', prompt: 'consent', code_challenge_method: 'S256' });

    const mailbox = { name: 'Fourth inbox', direction: 'incoming', protocol: 'imap', encryption: 'ssl', username: 'ann@fourth.invalid', oauthClientId: id };
    const foreign = await submit(agent, `${API}/Mailbox/actions/new`, { ...mailbox, host: 'imap.gmail.com' });
    expect(foreign.body.record.errors.host.message).toMatch(/not a mail server of Fourth Cloud: its tokens are sent only to mail\.fourth\.invalid/);
    expect((await submit(agent, `${API}/Mailbox/actions/new`, { ...mailbox, host: 'mail.fourth.invalid' })).body.notice).toMatchObject({ type: 'success' });
  });

  it('refuses an unknown provider with the registered ones named', async () => {
    const res = await submit(agent, `${API}/OAuthClient/actions/new`, { name: 'Fifth', provider: 'fifth', type: 'mailbox', clientId: 'x', clientSecret: 'x' });
    expect(res.body.record.errors.provider.message).toBe('Choose one of: azure, google, generic, fourth.');
  });
});
