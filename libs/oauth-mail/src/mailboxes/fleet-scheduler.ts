/** A connection budget a job takes a slot of while it runs: a host, or an account on a host. */
export interface Slot {
  readonly key: string;
  readonly limit: number;
}

export interface FleetJob<T> {
  readonly item: T;
  readonly slots: readonly Slot[];
}

/**
 * Runs `work` over jobs drawn lazily from `source`, at most `concurrency` at once
 * and never more than a slot's limit on one slot, and yields each outcome as it
 * finishes. Only a small look-ahead of jobs is held, so memory stays flat however
 * many there are. When `signal` aborts, no further job starts; those running
 * finish and are yielded. `work` must not throw: failures are outcomes.
 */
export async function* runFleet<T, R>(
  source: AsyncIterable<FleetJob<T>>,
  work: (item: T) => Promise<R>,
  { concurrency, signal }: { concurrency: number; signal?: AbortSignal },
): AsyncGenerator<R> {
  const lookAhead = Math.max(concurrency * 4, 64);
  const upstream = source[Symbol.asyncIterator]();
  const waiting: FleetJob<T>[] = [];
  const inUse = new Map<string, number>();
  const running = new Map<number, Promise<{ id: number; job: FleetJob<T>; outcome: R }>>();
  let started = 0;
  let exhausted = false;

  const fits = (job: FleetJob<T>) => job.slots.every((s) => (inUse.get(s.key) ?? 0) < s.limit);
  const take = (job: FleetJob<T>, delta: 1 | -1) => {
    for (const s of job.slots) {
      const n = (inUse.get(s.key) ?? 0) + delta;
      if (n) inUse.set(s.key, n);
      else inUse.delete(s.key);
    }
  };
  const start = (job: FleetJob<T>) => {
    take(job, 1);
    const id = started++;
    running.set(id, work(job.item).then((outcome) => ({ id, job, outcome })));
  };

  try {
    while (true) {
      // Top up the look-ahead; a job waits there while its host or account is at its limit.
      while (!exhausted && waiting.length < lookAhead && !signal?.aborted) {
        const next = await upstream.next();
        if (next.done) exhausted = true;
        else waiting.push(next.value);
      }
      if (!signal?.aborted) {
        for (let i = 0; i < waiting.length && running.size < concurrency; ) {
          if (fits(waiting[i])) start(waiting.splice(i, 1)[0]);
          else i++;
        }
      }
      if (!running.size) break;
      const finished = await Promise.race(running.values());
      running.delete(finished.id);
      take(finished.job, -1);
      yield finished.outcome;
    }
  } finally {
    // An early stop (break) closes the source; checks already running finish on their own.
    await upstream.return?.();
  }
}
