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

/** InformerState is one informer's settings and mutable state, shared by the steps below. */
interface InformerState {
  o: InformerOptions;
  cache: Map<string, KubeObject>;
  handlers: Handler[];
  stats: Informer["stats"];
  watchdogMs: number;
  resyncMs: number;
  timeoutSeconds: number;
  firstBackoff: number;
  maxBackoff: number;
  /** base is the collection path; selector the labelSelector query part, or "". */
  base: string;
  selector: string;
  stopped: boolean;
  resourceVersion: string;
  backoff: number;
  markSynced: () => void;
  /** closeCurrent ends the watch in flight (its request before headers, its stream after). */
  closeCurrent: () => void;
  resyncTimer: NodeJS.Timeout | undefined;
  sleepTimer: NodeJS.Timeout | undefined;
  /** wake ends the backoff sleep in progress early (on stop). */
  wake: () => void;
}

/** newInformer creates a stopped informer; start() begins listing. */
export function newInformer(o: InformerOptions): Informer {
  const s = newState(o);
  const syncedP = new Promise<void>((r) => (s.markSynced = r));
  return {
    resource: o.resource,
    stats: s.stats,
    get: (key) => s.cache.get(key),
    list: (namespace) => [...s.cache.values()].filter((x) => namespace === undefined || x.metadata.namespace === namespace),
    on: (h) => void s.handlers.push(h),
    synced: () => syncedP,
    start: () => start(s),
    stop: () => stop(s),
  };
}

/** newState applies the defaults of InformerOptions to a stopped informer's state. */
function newState(o: InformerOptions): InformerState {
  return {
    o,
    cache: new Map(),
    handlers: [],
    stats: { lists: 0, watches: 0, gone: 0, watchdogCloses: 0 },
    watchdogMs: o.watchdogMs ?? 90_000,
    resyncMs: o.resyncMs ?? 300_000,
    timeoutSeconds: o.timeoutSeconds ?? 300,
    firstBackoff: o.backoffMs ?? 500,
    maxBackoff: o.maxBackoffMs ?? 30_000,
    base: collectionPath(o.resource, o.namespace),
    selector: o.labelSelector === undefined ? "" : `&labelSelector=${encodeURIComponent(o.labelSelector)}`,
    stopped: true,
    resourceVersion: "",
    backoff: o.backoffMs ?? 500,
    markSynced: () => {},
    closeCurrent: () => {},
    resyncTimer: undefined,
    sleepTimer: undefined,
    wake: () => {},
  };
}

/** start begins the list-watch loop and the resync timer; it does nothing on a running informer. */
function start(s: InformerState): void {
  if (!s.stopped) return;
  s.stopped = false;
  void run(s);
  if (s.resyncMs > 0) {
    s.resyncTimer = setInterval(() => {
      for (const obj of s.cache.values()) emit(s, "resync", obj);
    }, s.resyncMs);
  }
}

/** stop ends the watch in flight, the timers and a backoff sleep; the loop then exits. */
function stop(s: InformerState): void {
  s.stopped = true;
  s.closeCurrent();
  if (s.resyncTimer !== undefined) clearInterval(s.resyncTimer);
  if (s.sleepTimer !== undefined) clearTimeout(s.sleepTimer);
  s.wake();
}

/** emit hands one change to every handler; a handler that throws is logged and the rest still run. */
function emit(s: InformerState, type: ChangeType, obj: KubeObject): void {
  for (const h of s.handlers) {
    try {
      h(type, obj);
    } catch (err) {
      s.o.log.error({ err, resource: s.o.resource.plural }, "Handler threw");
    }
  }
}

/** sleep waits ms, or until stop wakes it. */
function sleep(s: InformerState, ms: number): Promise<void> {
  return new Promise((r) => {
    s.wake = r;
    s.sleepTimer = setTimeout(r, ms);
  });
}

/** jittered is the delay d spread over [d/2, d*1.5) so that many informers do not retry in step. */
function jittered(s: InformerState, d: number): number {
  return d * (0.5 + s.o.random());
}

/** run lists, then watches again and again until stop; it relists after 410 Gone and backs off on errors. */
async function run(s: InformerState): Promise<void> {
  let needList = true;
  while (!s.stopped) {
    try {
      if (needList) {
        await relist(s);
        needList = false;
      }
      const r = await watchOnce(s);
      if (r === "gone") {
        s.stats.gone++;
        s.o.log.info({ resource: s.o.resource.plural }, "Relisted after 410 Gone");
        needList = true;
      }
    } catch (err) {
      if (s.stopped) break;
      const delay = jittered(s, s.backoff);
      s.backoff = Math.min(s.backoff * 2, s.maxBackoff);
      s.o.log.warn({ resource: s.o.resource.plural, err: (err as Error).message, retryInMs: Math.round(delay) }, "Watch failed; retrying");
      await sleep(s, delay);
    }
  }
}

/** relist replaces the cache with a fresh list, emitting what was added, changed or removed, and marks the informer synced. */
async function relist(s: InformerState): Promise<void> {
  s.stats.lists++;
  const list = await s.o.kube.request<{ metadata: { resourceVersion: string }; items: KubeObject[] }>("GET", `${s.base}?limit=0${s.selector}`);
  const seen = new Set<string>();
  for (const item of list.items) {
    const key = keyOf(item.metadata.namespace, item.metadata.name);
    seen.add(key);
    const old = s.cache.get(key);
    s.cache.set(key, item);
    if (old === undefined) emit(s, "add", item);
    else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) emit(s, "update", item);
  }
  for (const [key, obj] of [...s.cache]) {
    if (!seen.has(key)) {
      s.cache.delete(key);
      emit(s, "delete", obj);
    }
  }
  s.resourceVersion = list.metadata.resourceVersion;
  s.markSynced();
}

/** apply folds one watch event into the cache; it returns "gone" for a 410 and throws any other watch error. */
function apply(s: InformerState, ev: WatchEvent): "ok" | "gone" {
  if (ev.type === "ERROR") {
    if (ev.object.code === 410) return "gone";
    throw new KubeError(ev.object.code ?? 500, ev.object.reason ?? "", `watch error: ${JSON.stringify(ev.object).slice(0, 300)}`);
  }
  const rv = ev.object.metadata?.resourceVersion;
  if (rv !== undefined) s.resourceVersion = rv;
  if (ev.type === "BOOKMARK") return "ok";
  const key = keyOf(ev.object.metadata.namespace, ev.object.metadata.name);
  if (ev.type === "DELETED") {
    s.cache.delete(key);
    emit(s, "delete", ev.object);
  } else {
    const had = s.cache.has(key);
    s.cache.set(key, ev.object);
    emit(s, had ? "update" : "add", ev.object);
  }
  return "ok";
}

/** watchOnce runs one watch stream to its end; it returns "gone" when the server said 410. */
async function watchOnce(s: InformerState): Promise<"ended" | "gone"> {
  s.stats.watches++;
  let result = "ended" as "ended" | "gone";
  let lastEvent = Date.now();
  let failure: Error | undefined;
  const path = `${s.base}?watch=true&allowWatchBookmarks=true&timeoutSeconds=${s.timeoutSeconds}&resourceVersion=${encodeURIComponent(s.resourceVersion)}${s.selector}`;
  let stream: Awaited<ReturnType<Kube["stream"]>> | undefined;
  // The watchdog covers the whole stream, headers included: a server that never answers is as silent as one that stops.
  const ac = new AbortController();
  s.closeCurrent = () => ac.abort();
  const dog = setInterval(() => {
    if (Date.now() - lastEvent > s.watchdogMs) {
      s.stats.watchdogCloses++;
      s.o.log.warn({ resource: s.o.resource.plural, silentMs: Date.now() - lastEvent }, "Closed a silent watch");
      lastEvent = Date.now();
      ac.abort();
      stream?.close();
    }
  }, Math.max(10, Math.min(s.watchdogMs / 4, 5000)));
  try {
    stream = await s.o.kube.stream(path, (line) => {
      lastEvent = Date.now();
      if (result === "gone" || failure !== undefined) return;
      try {
        if (apply(s, JSON.parse(line) as WatchEvent) === "gone") {
          result = "gone";
          stream?.close();
        } else s.backoff = s.firstBackoff;
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
  const opened = stream;
  s.closeCurrent = () => opened.close();
  const err = await opened.done;
  clearInterval(dog);
  if (failure !== undefined) throw failure;
  if (err !== undefined && result !== "gone" && !s.stopped && !/socket hang up|aborted/.test(err.message)) throw err;
  return result;
}
