// informer: a list-watch cache of one resource, written for the failures client-node's own
// Informer does not survive. It lists, then watches from the list's resourceVersion with
// bookmarks; resumes from the last seen resourceVersion when a stream ends; relists on 410 Gone;
// backs off with jitter on errors; closes a stream that stays silent longer than the watchdog
// allows; and replays its whole cache to handlers at every resync. It is not a reconciler: it only
// keeps the cache and says what changed.
import type { Logger } from "pino";
import { KubeError, type Kube, type KubeObject } from "./kube.ts";
import { collectionPath, keyOf, type Resource } from "./resources.ts";

/** ChangeType is what happened to an object: seen for the first time, changed, gone, or replayed by a resync. */
export type ChangeType = "add" | "update" | "delete" | "resync";

/** Handler receives every change, synchronously, in the order the informer saw them. */
export type Handler = (type: ChangeType, obj: KubeObject) => void;

/** InformerOptions configures one informer. */
export interface InformerOptions {
  kube: Kube;
  resource: Resource;
  /** namespace to watch; empty watches all namespaces. */
  namespace: string;
  /** labelSelector filters the watched objects (children carry the operator's labels). */
  labelSelector?: string;
  log: Logger;
  random: () => number;
  /** watchdogMs closes a stream with no event or bookmark for this long (default 90 s). */
  watchdogMs?: number;
  /** resyncMs replays the cache to handlers this often (default 5 min; 0 disables). */
  resyncMs?: number;
  /** timeoutSeconds asks the server to end each watch after this long (default 300). */
  timeoutSeconds?: number;
  /** backoffMs is the first retry delay after an error (default 500), doubling up to maxBackoffMs (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
}

/** Informer is a running list-watch cache. */
export interface Informer {
  resource: Resource;
  /** get returns the cached object with key namespace/name. */
  get(key: string): KubeObject | undefined;
  /** list returns every cached object (optionally in one namespace). */
  list(namespace?: string): KubeObject[];
  /** on adds a handler; call before start. */
  on(handler: Handler): void;
  /** synced resolves once the first list has filled the cache. */
  synced(): Promise<void>;
  start(): void;
  stop(): void;
  /** stats counts lists, watches and 410s, for tests and metrics. */
  stats: { lists: number; watches: number; gone: number; watchdogCloses: number };
}

interface WatchEvent {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; reason?: string };
}

/** newInformer creates a stopped informer; start() begins listing. */
export function newInformer(o: InformerOptions): Informer {
  const cache = new Map<string, KubeObject>();
  const handlers: Handler[] = [];
  const watchdogMs = o.watchdogMs ?? 90_000;
  const resyncMs = o.resyncMs ?? 300_000;
  const timeoutSeconds = o.timeoutSeconds ?? 300;
  const firstBackoff = o.backoffMs ?? 500;
  const maxBackoff = o.maxBackoffMs ?? 30_000;
  const stats = { lists: 0, watches: 0, gone: 0, watchdogCloses: 0 };
  let stopped = true;
  let resourceVersion = "";
  let backoff = firstBackoff;
  let markSynced: () => void = () => {};
  const syncedP = new Promise<void>((r) => (markSynced = r));
  let closeCurrent: () => void = () => {};
  let resyncTimer: NodeJS.Timeout | undefined;
  let sleepTimer: NodeJS.Timeout | undefined;
  let wake: () => void = () => {};
  const base = collectionPath(o.resource, o.namespace);
  const selector = o.labelSelector === undefined ? "" : `&labelSelector=${encodeURIComponent(o.labelSelector)}`;

  const emit = (type: ChangeType, obj: KubeObject): void => {
    for (const h of handlers) {
      try {
        h(type, obj);
      } catch (err) {
        o.log.error({ err, resource: o.resource.plural }, "Handler threw");
      }
    }
  };
  const sleep = (ms: number): Promise<void> =>
    new Promise((r) => {
      wake = r;
      sleepTimer = setTimeout(r, ms);
    });
  /** jittered is the delay d spread over [d/2, d*1.5) so that many informers do not retry in step. */
  const jittered = (d: number): number => d * (0.5 + o.random());

  async function relist(): Promise<void> {
    stats.lists++;
    const list = await o.kube.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>("GET", `${base}?limit=0${selector}`);
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = keyOf(item.metadata.namespace, item.metadata.name);
      seen.add(key);
      const old = cache.get(key);
      cache.set(key, item);
      if (old === undefined) emit("add", item);
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) emit("update", item);
    }
    for (const [key, obj] of [...cache]) {
      if (!seen.has(key)) {
        cache.delete(key);
        emit("delete", obj);
      }
    }
    resourceVersion = list.metadata.resourceVersion;
    markSynced();
  }

  function apply(ev: WatchEvent): "ok" | "gone" {
    if (ev.type === "ERROR") {
      if (ev.object.code === 410) return "gone";
      throw new KubeError(ev.object.code ?? 500, ev.object.reason ?? "", `watch error: ${JSON.stringify(ev.object).slice(0, 300)}`);
    }
    const rv = ev.object.metadata?.resourceVersion;
    if (rv !== undefined) resourceVersion = rv;
    if (ev.type === "BOOKMARK") return "ok";
    const key = keyOf(ev.object.metadata.namespace, ev.object.metadata.name);
    if (ev.type === "DELETED") {
      cache.delete(key);
      emit("delete", ev.object);
    } else {
      const had = cache.has(key);
      cache.set(key, ev.object);
      emit(had ? "update" : "add", ev.object);
    }
    return "ok";
  }

  /** watchOnce runs one watch stream to its end; it returns "gone" when the server said 410. */
  async function watchOnce(): Promise<"ended" | "gone"> {
    stats.watches++;
    let result = "ended" as "ended" | "gone";
    let lastEvent = Date.now();
    let failure: Error | undefined;
    const path = `${base}?watch=true&allowWatchBookmarks=true&timeoutSeconds=${timeoutSeconds}&resourceVersion=${encodeURIComponent(resourceVersion)}${selector}`;
    let stream: Awaited<ReturnType<Kube["stream"]>> | undefined;
    // The watchdog covers the whole stream, headers included: a server that never answers is as silent as one that stops.
    const ac = new AbortController();
    closeCurrent = () => ac.abort();
    const dog = setInterval(() => {
      if (Date.now() - lastEvent > watchdogMs) {
        stats.watchdogCloses++;
        o.log.warn({ resource: o.resource.plural, silentMs: Date.now() - lastEvent }, "Closed a silent watch");
        lastEvent = Date.now();
        ac.abort();
        stream?.close();
      }
    }, Math.max(10, Math.min(watchdogMs / 4, 5000)));
    try {
      stream = await o.kube.stream(path, (line) => {
        lastEvent = Date.now();
        if (result === "gone" || failure !== undefined) return;
        try {
          if (apply(JSON.parse(line) as WatchEvent) === "gone") {
            result = "gone";
            stream?.close();
          } else backoff = firstBackoff;
        } catch (err) {
          failure = err as Error;
          stream?.close();
        }
      }, ac.signal);
    } catch (err) {
      clearInterval(dog);
      if (err instanceof KubeError && err.code === 410) return "gone";
      if (ac.signal.aborted) return "ended";
      throw err;
    }
    const s = stream;
    closeCurrent = () => s.close();
    const err = await s.done;
    clearInterval(dog);
    if (failure !== undefined) throw failure;
    if (err !== undefined && result !== "gone" && !stopped && !/socket hang up|aborted/.test(err.message)) throw err;
    return result;
  }

  async function run(): Promise<void> {
    let needList = true;
    while (!stopped) {
      try {
        if (needList) {
          await relist();
          needList = false;
        }
        const r = await watchOnce();
        if (r === "gone") {
          stats.gone++;
          o.log.info({ resource: o.resource.plural }, "Relisted after 410 Gone");
          needList = true;
        }
      } catch (err) {
        if (stopped) break;
        const delay = jittered(backoff);
        backoff = Math.min(backoff * 2, maxBackoff);
        o.log.warn({ resource: o.resource.plural, err: (err as Error).message, retryInMs: Math.round(delay) }, "Watch failed; retrying");
        await sleep(delay);
      }
    }
  }

  return {
    resource: o.resource,
    stats,
    get: (key) => cache.get(key),
    list: (namespace) => [...cache.values()].filter((x) => namespace === undefined || x.metadata.namespace === namespace),
    on: (h) => void handlers.push(h),
    synced: () => syncedP,
    start() {
      if (!stopped) return;
      stopped = false;
      void run();
      if (resyncMs > 0) {
        resyncTimer = setInterval(() => {
          for (const obj of cache.values()) emit("resync", obj);
        }, resyncMs);
      }
    },
    stop() {
      stopped = true;
      closeCurrent();
      if (resyncTimer !== undefined) clearInterval(resyncTimer);
      if (sleepTimer !== undefined) clearTimeout(sleepTimer);
      wake();
    },
  };
}
