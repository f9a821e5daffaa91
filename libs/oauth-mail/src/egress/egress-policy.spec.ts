import { DEFAULT_BLOCKED_NETWORKS, EgressPolicy } from './egress-policy.js';

describe(EgressPolicy.name, () => {
  const policy = new EgressPolicy(DEFAULT_BLOCKED_NETWORKS);

  it.each(['169.254.169.254', '[fe80::1]', 'fe80::1', '0.0.0.0', '100.100.100.200', '::ffff:169.254.169.254', '[fd00:ec2::254]'])('refuses %s', async (host) => {
    expect(await policy.refusal(host)).toMatchObject({ reason: 'blocked', message: expect.stringMatching(/never connects to/) });
  });

  it.each(['127.0.0.1', 'localhost', '10.1.2.3', '192.168.1.10', '::1'])('lets %s through', async (host) => {
    expect(await policy.refusal(host)).toBeNull();
  });

  it('refuses a name that does not resolve (a second lookup could answer otherwise)', async () => {
    expect(await policy.refusal('no-such-host.invalid')).toEqual({ reason: 'unresolvable', message: 'The name no-such-host.invalid could not be resolved.' });
  });

  it('takes the networks a host configures, and refuses malformed ones', async () => {
    const strict = new EgressPolicy(['10.0.0.0/8', '127.0.0.1']);
    expect((await strict.refusal('10.9.9.9'))?.message).toMatch(/never connects to/);
    expect((await strict.refusal('localhost'))?.message).toMatch(/localhost \(127\.0\.0\.1\)/);
    expect(await new EgressPolicy([]).refusal('169.254.169.254')).toBeNull();
    for (const bad of ['10.0.0.0/33', 'example.com/8', '10.0.0.0/8/1', 'fe80::/129']) expect(() => new EgressPolicy([bad])).toThrow(/not a network/);
  });
});

describe(`${EgressPolicy.name}.lookup`, () => {
  const lookup = (policy: EgressPolicy, host: string, options: { all?: boolean; family?: number } = {}) =>
    new Promise<{ error: NodeJS.ErrnoException | null; address: unknown; family?: number }>((done) =>
      policy.lookup(host, options, (error, address, family) => done({ error, address, family })),
    );

  it('answers as dns.lookup does, with one address or all of them', async () => {
    const policy = new EgressPolicy(DEFAULT_BLOCKED_NETWORKS, async () => [{ address: '192.0.2.7', family: 4 }, { address: '2001:db8::7', family: 6 }]);
    expect(await lookup(policy, 'mail.example.com')).toEqual({ error: null, address: '192.0.2.7', family: 4 });
    expect(await lookup(policy, 'mail.example.com', { family: 6 })).toEqual({ error: null, address: '2001:db8::7', family: 6 });
    expect((await lookup(policy, 'mail.example.com', { all: true })).address).toEqual([{ address: '192.0.2.7', family: 4 }, { address: '2001:db8::7', family: 6 }]);
  });

  it('fails with EGRESS_BLOCKED when any address is in a blocked network (DNS rebinding at connect time)', async () => {
    const answers = [[{ address: '192.0.2.7', family: 4 }], [{ address: '169.254.169.254', family: 4 }]];
    const policy = new EgressPolicy(DEFAULT_BLOCKED_NETWORKS, async () => answers.shift()!);
    expect(await policy.refusal('rebind.example.com')).toBeNull();
    const { error } = await lookup(policy, 'rebind.example.com', { all: true });
    expect(error).toMatchObject({ code: 'EGRESS_BLOCKED', message: expect.stringContaining('169.254.169.254') });
  });

  it('fails with ENOTFOUND when the name has no address', async () => {
    const policy = new EgressPolicy(DEFAULT_BLOCKED_NETWORKS, async () => []);
    expect((await lookup(policy, 'empty.example.com')).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});
