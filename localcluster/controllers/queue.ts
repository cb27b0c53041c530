// queue: a minimal workqueue for the node-side controllers: keys are deduplicated, one key is
// handled at a time, a throw retries with exponential backoff, and a handler may ask to be called
// again after a delay (ttlSecondsAfterFinished, pod backoff). Not rate-limited beyond that.
import type { Logger } from "pino";

/** Handler reconciles one key; requeueAfterMs asks for another call later. */
export type Handler = (key: string) => Promise<{ requeueAfterMs?: number }>;

/** Queue accepts keys to reconcile. */
export interface Queue {
  add(key: string): void;
  stop(): void;
}

/** newQueue runs handler for each added key, serially. */
export function newQueue(name: string, handler: Handler, log: Logger): Queue {
  const dirty = new Set<string>();
  const failures = new Map<string, number>();
  const timers = new Map<string, NodeJS.Timeout>();
  let busy = false;
  let stopped = false;
  const later = (key: string, ms: number): void => {
    const old = timers.get(key);
    if (old !== undefined) clearTimeout(old);
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      add(key);
    }, ms));
  };
  const drain = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      while (!stopped && dirty.size > 0) {
        const key = dirty.values().next().value as string;
        dirty.delete(key);
        try {
          const r = await handler(key);
          failures.delete(key);
          if (r.requeueAfterMs !== undefined) later(key, Math.max(1, r.requeueAfterMs));
        } catch (err) {
          const n = (failures.get(key) ?? 0) + 1;
          failures.set(key, n);
          log.warn({ controller: name, key, err: String(err), attempt: n }, "Reconcile failed; retrying");
          later(key, Math.min(30_000, 100 * 2 ** n));
        }
      }
    } finally {
      busy = false;
    }
  };
  const add = (key: string): void => {
    if (stopped) return;
    dirty.add(key);
    void drain();
  };
  return {
    add,
    stop() {
      stopped = true;
      for (const t of timers.values()) clearTimeout(t);
    },
  };
}
