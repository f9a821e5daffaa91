import { runFleet, type FleetJob } from './fleet-scheduler.js';

const tick = () => new Promise((r) => setTimeout(r, 1));

/** Jobs 0..n-1 on hosts a/b and accounts a0..a2 / b0..b2, counting how many are read ahead. */
function source(n: number, read: { count: number }) {
  return (async function* (): AsyncGenerator<FleetJob<number>> {
    for (let i = 0; i < n; i++) {
      read.count++;
      const host = i % 2 ? 'b' : 'a';
      yield { item: i, slots: [{ key: `host ${host}`, limit: 3 }, { key: `account ${host}${i % 3}`, limit: 1 }] };
    }
  })();
}

describe(runFleet.name, () => {
  it('never runs more than the overall, per-host and per-account limits, and runs every job once', async () => {
    const running = new Set<number>();
    let peak = 0;
    const violations: string[] = [];
    const work = async (i: number) => {
      running.add(i);
      peak = Math.max(peak, running.size);
      const hosts = [...running].map((j) => (j % 2 ? 'b' : 'a'));
      const accounts = [...running].map((j) => `${j % 2 ? 'b' : 'a'}${j % 3}`);
      if (hosts.filter((h) => h === 'a').length > 3 || hosts.filter((h) => h === 'b').length > 3) violations.push(`host at ${i}`);
      if (new Set(accounts).size !== accounts.length) violations.push(`account at ${i}`);
      for (let t = 0; t < (i % 5) + 1; t++) await tick();
      running.delete(i);
      return i;
    };
    const done: number[] = [];
    for await (const i of runFleet(source(200, { count: 0 }), work, { concurrency: 5 })) done.push(i);
    expect(violations).toEqual([]);
    expect(peak).toBe(5);
    expect(done.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('reads the source only a bounded distance ahead of the work', async () => {
    const read = { count: 0 };
    let maxAhead = 0;
    let finished = 0;
    const work = async (i: number) => {
      await tick();
      maxAhead = Math.max(maxAhead, read.count - finished);
      return i;
    };
    for await (const done of runFleet(source(10_000, read), work, { concurrency: 4 })) finished += done >= 0 ? 1 : 0;
    expect(finished).toBe(10_000);
    expect(maxAhead).toBeLessThanOrEqual(64 + 4 + 1);
  });

  it('starts nothing after an abort, yields what was running, and closes the source on an early break', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const out: number[] = [];
    for await (const i of runFleet(source(50, { count: 0 }), async (i) => (started.push(i), await tick(), i), { concurrency: 3, signal: controller.signal })) {
      out.push(i);
      controller.abort();
    }
    expect(out.sort()).toEqual(started.sort());
    expect(started).toHaveLength(3);

    let closed = false;
    const endless = (async function* () {
      try {
        for (let i = 0; ; i++) yield { item: i, slots: [] };
      } finally {
        closed = true;
      }
    })();
    for await (const first of runFleet(endless, async (i) => i, { concurrency: 2 })) if (first >= 0) break;
    expect(closed).toBe(true);
  });
});
