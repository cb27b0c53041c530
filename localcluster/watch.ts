// Watch: a bounded history of committed changes (the watch cache) and the streaming of them to
// clients as newline-delimited JSON events. A watch from a resourceVersion older than the
// history answers an ERROR event with 410 Expired, as the apiserver does after compaction;
// history does not survive a restart, so a watch from before the restart gets 410 too.
import type { ServerResponse } from "node:http";
import { gone } from "./errors.ts";
import type { StoreEvent } from "./store.ts";
import type { Obj } from "./types.ts";

/** WatchHub keeps recent events and fans them out to subscribers. */
export interface WatchHub {
  publish(ev: StoreEvent): void;
  /** subscribe replays events after fromRv then streams live ones; throws 410 when compacted. */
  subscribe(bucket: string, fromRv: number, fn: (ev: StoreEvent) => void): () => void;
  subscriberCount(): number;
}

/** newWatchHub starts a hub whose history begins at startRv and holds up to capacity events. */
export function newWatchHub(startRv: number, capacity: number): WatchHub {
  const history: StoreEvent[] = [];
  let compactedRv = startRv;
  const subscribers = new Set<{ bucket: string; fn: (ev: StoreEvent) => void }>();
  return {
    publish(ev) {
      history.push(ev);
      if (history.length > capacity) {
        const dropped = history.splice(0, history.length - capacity);
        compactedRv = dropped[dropped.length - 1].rv;
      }
      for (const s of subscribers) if (s.bucket === ev.bucket) s.fn(ev);
    },
    subscribe(bucket, fromRv, fn) {
      if (fromRv < compactedRv) throw gone(`too old resource version: ${fromRv} (${compactedRv})`);
      for (const ev of history) if (ev.rv > fromRv && ev.bucket === bucket) fn(ev);
      const sub = { bucket, fn };
      subscribers.add(sub);
      return () => subscribers.delete(sub);
    },
    subscriberCount: () => subscribers.size,
  };
}

/** WatchStreamOptions shapes one watch response. */
export interface WatchStreamOptions {
  bookmarks: boolean;
  bookmarkIntervalMs: number;
  timeoutMs: number;
  /** render turns an object into what the client asked for (itself, or a one-row Table). */
  render: (o: Obj) => Obj;
  /** matches filters objects by namespace and selectors. */
  matches: (o: Obj) => boolean;
  bookmarkObject: (rv: string) => Obj;
}

/** startWatchStream writes the 200 headers at once (kubectl waits for them) and returns a sender. */
export function startWatchStream(res: ServerResponse, opts: WatchStreamOptions, onEnd: () => void): (ev: StoreEvent | { type: "ADDED"; object: Obj }) => void {
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  let lastRv = "0";
  const write = (type: string, object: Obj): void => {
    if (!res.writableEnded && !res.destroyed) res.write(JSON.stringify({ type, object }) + "\n");
  };
  const timers: NodeJS.Timeout[] = [setTimeout(() => res.end(), opts.timeoutMs)];
  if (opts.bookmarks) timers.push(setInterval(() => write("BOOKMARK", opts.bookmarkObject(lastRv)), opts.bookmarkIntervalMs));
  res.on("close", () => {
    for (const t of timers) clearTimeout(t);
    onEnd();
  });
  return (ev) => {
    const now = opts.matches(ev.object);
    const before = "prev" in ev && ev.prev !== undefined ? opts.matches(ev.prev) : false;
    if (typeof ev.object.metadata?.resourceVersion === "string") lastRv = ev.object.metadata.resourceVersion;
    if (ev.type === "MODIFIED" && now !== before) {
      // An object that starts or stops matching the selector is added or deleted from the watcher's view.
      write(now ? "ADDED" : "DELETED", opts.render(ev.object));
    } else if (now) write(ev.type, opts.render(ev.object));
  };
}

/** writeWatchError sends one ERROR event (e.g. 410 Expired) and ends the stream. */
export function writeWatchError(res: ServerResponse, status: Obj): void {
  res.writeHead(200, { "Content-Type": "application/json", "Transfer-Encoding": "chunked" });
  res.end(JSON.stringify({ type: "ERROR", object: status }) + "\n");
}
