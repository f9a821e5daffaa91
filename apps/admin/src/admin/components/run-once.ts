/** One run per click: its answer, and whether a mounted component has announced it. */
export interface Run<T> {
  readonly outcome: Promise<T>;
  announced: boolean;
}

/**
 * Runs under way, by click. AdminJS mounts an action's component twice for one click
 * (then again after re-fetching its record, with a Loader in between, so no state or
 * ref survives): the second mount joins the first one's request instead of sending
 * another. Keys hold the navigation's own key, so the next click runs anew.
 */
const runs = new Map<string, Run<unknown>>();
const FORGET_AFTER_MS = 60_000;

export function runOnce<T>(key: string, post: () => Promise<T>): Run<T> {
  let run = runs.get(key) as Run<T> | undefined;
  if (!run) {
    const outcome = post();
    run = { outcome, announced: false };
    runs.set(key, run);
    // A run nobody announced (the admin went elsewhere) is dropped after a while.
    void outcome.finally(() => setTimeout(() => runs.delete(key), FORGET_AFTER_MS));
  }
  return run;
}
