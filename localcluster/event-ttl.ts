// Event expiry: the apiserver keeps events for an hour (--event-ttl), so a long-running cluster
// does not grow without bound. A periodic sweep deletes core events older than the TTL.
import type { Api } from "./api.ts";
import type { Obj } from "./types.ts";

function lastSeen(e: Obj): number {
  const t = e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp;
  return typeof t === "string" ? Date.parse(t) : Number.NaN;
}

/** sweepEvents deletes the core events last seen before now - ttlMs and returns how many. */
export function sweepEvents(api: Api, now: number, ttlMs: number): number {
  const rt = api.registry.find("", "v1", "events");
  if (rt === undefined) return 0;
  let removed = 0;
  for (const e of api.list(rt, undefined)) {
    if (now - lastSeen(e) > ttlMs) {
      api.forceRemove(rt, e);
      removed++;
    }
  }
  return removed;
}

/** startEventExpiry sweeps every intervalMs until the returned stop is called. */
export function startEventExpiry(api: Api, now: () => number, ttlMs: number, intervalMs: number): () => void {
  const timer = setInterval(() => sweepEvents(api, now(), ttlMs), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
