import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { Mailbox, RecordStatus, type MailboxSelection, type MailboxService } from '@app/oauth-mail';
import { In, type DataSource } from 'typeorm';

/** One mailbox's line in a bulk Check's result list. */
export interface BulkCheckLine {
  readonly mailboxId: string;
  readonly name: string;
  readonly ok: boolean;
  /** Where a failed Check stopped (config, token, connect, tls, auth, open). */
  readonly stage: string | null;
  readonly message: string;
}

/** What the progress view shows: counts, and the lines since the `since` it asked for. */
export interface BulkCheckProgress {
  readonly job: string;
  readonly total: number;
  readonly checked: number;
  readonly failed: number;
  readonly remaining: number;
  readonly done: boolean;
  /** Set when the run ended before its last mailbox. */
  readonly stopped: string | null;
  readonly lines: readonly BulkCheckLine[];
  /** The `since` to ask for next. */
  readonly next: number;
}

interface Job {
  readonly id: string;
  readonly owner: string;
  readonly all: boolean;
  readonly total: number;
  readonly lines: BulkCheckLine[];
  failed: number;
  done: boolean;
  stopped: string | null;
  finishedAt: number | null;
}

/** A finished run stays readable this long (the admin may reload the page). */
const KEEP_MS = 15 * 60_000;
const CONCURRENCY = 10;

/**
 * Bulk Checks of the admin panel, run in this process through `checkMany` and read
 * by the progress view a slice at a time. A Check all while one is under way joins
 * it rather than checking every mailbox twice. Runs live in memory: behind several
 * processes, the progress view must reach the one that started the run (sticky
 * sessions); the outcomes themselves are recorded on the mailboxes either way.
 */
export class BulkCheckJobs {
  private readonly logger = new Logger(BulkCheckJobs.name);
  private readonly jobs = new Map<string, Job>();

  constructor(
    private readonly mail: MailboxService,
    private readonly dataSource: DataSource,
  ) {}

  /** Starts a Check of every enabled mailbox (`'all'`), or of the given ids, for `owner`. */
  async start(owner: string, selection: 'all' | readonly string[]): Promise<BulkCheckProgress> {
    this.sweep();
    const all = selection === 'all';
    const running = all ? [...this.jobs.values()].find((j) => j.all && !j.done) : undefined;
    if (running) return this.progress(running, 0);
    const enabled = { status: RecordStatus.Enabled } as const;
    const chosen: MailboxSelection = all ? enabled : selection;
    const total = all ? await this.dataSource.getRepository(Mailbox).countBy(enabled) : selection.length;
    const job: Job = { id: randomUUID(), owner, all, total, lines: [], failed: 0, done: false, stopped: null, finishedAt: null };
    this.jobs.set(job.id, job);
    void this.run(job, chosen);
    return this.progress(job, 0);
  }

  /** The run's progress for `owner`, with its lines from `since` on; null when there is no such run (or it is someone else's). */
  read(owner: string, id: string, since: number): BulkCheckProgress | null {
    this.sweep();
    const job = this.jobs.get(id);
    if (!job || (job.owner !== owner && !job.all)) return null;
    return this.progress(job, since);
  }

  private async run(job: Job, selection: MailboxSelection): Promise<void> {
    const names = this.dataSource.getRepository(Mailbox);
    const pending: { mailboxId: string; ok: boolean; stage: string | null; message: string }[] = [];
    const flush = async () => {
      const batch = pending.splice(0);
      if (!batch.length) return;
      const rows = await names.find({ where: { id: In(batch.map((b) => b.mailboxId)) }, select: { id: true, name: true } });
      const nameOf = new Map(rows.map((r) => [r.id, r.name]));
      for (const line of batch) {
        job.lines.push({ ...line, name: nameOf.get(line.mailboxId) ?? '(deleted mailbox)' });
        if (!line.ok) job.failed++;
      }
    };
    try {
      for await (const { mailboxId, result } of this.mail.checkMany(selection, { concurrency: CONCURRENCY })) {
        pending.push({ mailboxId, ok: result.ok, stage: result.ok ? null : result.stage, message: result.message });
        // Names are read a few at a time, not once per mailbox.
        if (pending.length >= CONCURRENCY) await flush();
      }
      await flush();
    } catch (error) {
      this.logger.error(`A bulk Check stopped: ${(error as Error).message}`);
      job.stopped = 'The run stopped before its last mailbox (the server log has the details). Start it again.';
    } finally {
      job.done = true;
      job.finishedAt = Date.now();
    }
  }

  private progress(job: Job, since: number): BulkCheckProgress {
    const from = Number.isInteger(since) && since >= 0 ? Math.min(since, job.lines.length) : 0;
    const checked = job.lines.length;
    return {
      job: job.id,
      total: Math.max(job.total, checked),
      checked,
      failed: job.failed,
      remaining: job.done ? 0 : Math.max(job.total - checked, 0),
      done: job.done,
      stopped: job.stopped,
      lines: job.lines.slice(from),
      next: checked,
    };
  }

  private sweep(): void {
    const now = Date.now();
    for (const [id, job] of this.jobs) if (job.finishedAt !== null && now - job.finishedAt > KEEP_MS) this.jobs.delete(id);
  }
}
