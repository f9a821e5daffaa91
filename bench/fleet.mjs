// P3 (issue #12): MailboxService.checkMany over 1,000 IMAP mailboxes (distinct Dovecot users)
// against a raw imapflow loop with the same pool, in one run: throughput, peak RSS, event-loop delay.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { ImapFlow } from 'imapflow';
import { loadPeer, median } from './peers.mjs';

const MAILBOXES = 1000;
const user = (i) => `fleet${i}@example.test`;
const password = (i) => `fleet-password-${i}`;

/** Runs `fn` while sampling RSS and event-loop delay; returns checks/s, peak RSS (MB) and delay p99 (ms). */
async function measured(fn) {
  global.gc?.();
  const delay = monitorEventLoopDelay({ resolution: 10 });
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25);
  delay.enable();
  const started = performance.now();
  const count = await fn();
  const seconds = (performance.now() - started) / 1000;
  delay.disable();
  clearInterval(sampler);
  return { rate: count / seconds, rssMb: peak / 2 ** 20, p99Ms: delay.percentile(99) / 1e6 };
}

/** Rows for bench/run.mjs's fleet table. */
export async function fleetThroughput(boot, lib, { rounds = 3, concurrencies = [10, 50] } = {}) {
  const { DovecotPeer } = await loadPeer('dovecot-peer');
  const users = Object.fromEntries(Array.from({ length: MAILBOXES }, (_, i) => [user(i), password(i)]));
  const dovecot = await DovecotPeer.start({ issuer: 'http://127.0.0.1:9', relayPort: 9, users, sharedLoginProcesses: true });
  const app = await boot({ mailTrustedCa: [dovecot.certificate] });
  const rows = [];
  try {
    const settings = app.get(lib.MailboxSettingsService);
    const ids = [];
    for (let i = 0; i < MAILBOXES; i++) {
      const made = await settings.create({ name: `fleet ${i}`, direction: 'incoming', protocol: 'imap', host: '127.0.0.1', port: dovecot.ports.imaps, encryption: 'ssl', username: user(i), password: password(i) });
      if (!made.ok) throw new Error(JSON.stringify(made.errors));
      ids.push(made.value.id);
    }
    const mail = app.get(lib.MailboxService);
    const product = (concurrency) => async () => {
      let n = 0;
      for await (const outcome of mail.checkMany(ids, { concurrency })) {
        if (!outcome.result.ok) throw new Error(`bench Check failed: ${outcome.result.message}`);
        n++;
      }
      return n;
    };
    const ca = [dovecot.certificate];
    const raw = (concurrency) => async () => {
      let next = 0;
      const worker = async () => {
        while (next < MAILBOXES) {
          const i = next++;
          const client = new ImapFlow({ host: '127.0.0.1', port: dovecot.ports.imaps, secure: true, auth: { user: user(i), pass: password(i) }, tls: { ca }, logger: false, disableAutoIdle: true });
          client.on('error', () => undefined);
          await client.connect();
          await client.mailboxOpen('INBOX', { readOnly: true });
          await client.logout();
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return MAILBOXES;
    };
    for (const concurrency of concurrencies) {
      const p = [];
      const r = [];
      for (let round = 0; round < rounds; round++) {
        if (round % 2) {
          r.push(await measured(raw(concurrency)));
          p.push(await measured(product(concurrency)));
        } else {
          p.push(await measured(product(concurrency)));
          r.push(await measured(raw(concurrency)));
        }
      }
      const ratio = median(p.map((x) => x.rate)) / median(r.map((x) => x.rate));
      const rss = Math.max(...p.map((x) => x.rssMb));
      const p99 = Math.max(...p.map((x) => x.p99Ms));
      const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
      rows.push({
        path: `checkMany, ${MAILBOXES} IMAP mailboxes, concurrency ${concurrency}`,
        'checks/s median': +median(p.map((x) => x.rate)).toFixed(1),
        'min–max': range(p.map((x) => x.rate)),
        baseline: 'raw imapflow loop, same pool',
        'baseline checks/s': +median(r.map((x) => x.rate)).toFixed(1),
        N: rounds,
        ratio: +ratio.toFixed(2),
        'peak RSS MB (raw)': `${rss.toFixed(0)} (${Math.max(...r.map((x) => x.rssMb)).toFixed(0)})`,
        'loop delay p99 ms (raw)': `${p99.toFixed(1)} (${Math.max(...r.map((x) => x.p99Ms)).toFixed(1)})`,
        goal: '≥ 0.80, ≤ 300 MB, < 100 ms',
        met: ratio >= 0.8 && rss <= 300 && p99 < 100,
      });
    }
  } finally {
    await app.close();
    dovecot.stop();
  }
  return rows;
}
