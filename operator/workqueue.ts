// workqueue: the queue between events and reconcilers, shaped like client-go's. A key is queued
// at most once; a key being processed is never processed by a second worker (it is re-queued
// after if it was added meanwhile); a throw retries with per-key exponential backoff; a
// terminal error drops the key; success forgets its backoff; requeueAfterMs delays a key; a token
// bucket limits the overall rate. It knows nothing about Kubernetes.

/** TerminalError marks a failure that retrying cannot fix; the queue drops the key. */
export class TerminalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TerminalError";
  }
}

/** terminal wraps err as a TerminalError. */
export function terminal(err: unknown): TerminalError {
  return new TerminalError(err instanceof Error ? err.message : String(err), { cause: err });
}

/** Result contains the result of a reconciler invocation: requeueAfterMs asks for another pass later. */
export interface Result {
  requeueAfterMs?: number;
}

/** Outcome is how one pass over a key ended, for metrics. */
export type Outcome = "success" | "requeue" | "error" | "terminal";

/** QueueOptions configures a workqueue. */
export interface QueueOptions {
  /** concurrency is how many keys are processed at once (default 2). */
  concurrency?: number;
  /** baseDelayMs is the first retry delay (default 100), doubling per failure up to maxDelayMs (default 60 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** ratePerSecond and burst bound how fast keys start overall (default 20/s, burst 50). */
  ratePerSecond?: number;
  burst?: number;
  /** onOutcome is told how each pass ended and how long it took. */
  onOutcome?: (key: string, outcome: Outcome, ms: number, err?: unknown) => void;
}

/** Workqueue feeds keys to a worker function. */
export interface Workqueue {
  add(key: string): void;
  addAfter(key: string, ms: number): void;
  /** depth is the number of keys waiting (not processing, not delayed). */
  depth(): number;
  /** failures is the number of consecutive failures recorded for key. */
  failures(key: string): number;
  start(worker: (key: string) => Promise<Result>): void;
  /** shutdown stops taking keys and resolves once in-flight passes end. */
  shutdown(): Promise<void>;
}

/** newWorkqueue creates a stopped queue. */
export function newWorkqueue(o: QueueOptions = {}): Workqueue {
  const concurrency = o.concurrency ?? 2;
  const base = o.baseDelayMs ?? 100;
  const maxDelay = o.maxDelayMs ?? 60_000;
  const rate = o.ratePerSecond ?? 20;
  const burst = o.burst ?? 50;
  const queue: string[] = [];
  const queued = new Set<string>();
  const processing = new Set<string>();
  const dirty = new Set<string>();
  const delays = newDelays((key) => add(key));
  const failureCount = new Map<string, number>();
  let worker: ((key: string) => Promise<Result>) | undefined;
  let running = 0;
  let stopping = false;
  const take = newTokenBucket(rate, burst);
  let pumpTimer: NodeJS.Timeout | undefined;
  let drained: () => void = () => {};

  function pump(): void {
    if (worker === undefined) return;
    while (!stopping && running < concurrency && queue.length > 0) {
      if (!take()) {
        if (pumpTimer === undefined) pumpTimer = setTimeout(() => ((pumpTimer = undefined), pump()), Math.ceil(1000 / rate));
        return;
      }
      const key = queue.shift() as string;
      queued.delete(key);
      processing.add(key);
      running++;
      void process(key, worker);
    }
    if (stopping && running === 0) drained();
  }

  async function process(key: string, w: (key: string) => Promise<Result>): Promise<void> {
    const start = performance.now();
    try {
      const r = await w(key);
      failureCount.delete(key);
      if (r.requeueAfterMs !== undefined && r.requeueAfterMs >= 0) {
        o.onOutcome?.(key, "requeue", performance.now() - start);
        addAfter(key, r.requeueAfterMs);
      } else o.onOutcome?.(key, "success", performance.now() - start);
    } catch (err) {
      if (err instanceof TerminalError) {
        failureCount.delete(key);
        o.onOutcome?.(key, "terminal", performance.now() - start, err);
      } else {
        const n = (failureCount.get(key) ?? 0) + 1;
        failureCount.set(key, n);
        o.onOutcome?.(key, "error", performance.now() - start, err);
        addAfter(key, Math.min(maxDelay, base * 2 ** (n - 1)));
      }
    } finally {
      processing.delete(key);
      running--;
      if (dirty.delete(key)) add(key);
      pump();
    }
  }

  function add(key: string): void {
    if (stopping) return;
    if (processing.has(key)) {
      dirty.add(key);
      return;
    }
    if (queued.has(key)) return;
    queued.add(key);
    queue.push(key);
    pump();
  }

  function addAfter(key: string, ms: number): void {
    if (stopping) return;
    if (ms <= 0) return add(key);
    delays.addAfter(key, ms);
  }

  return {
    add,
    addAfter,
    depth: () => queue.length,
    failures: (key) => failureCount.get(key) ?? 0,
    start(w) {
      worker = w;
      pump();
    },
    shutdown() {
      stopping = true;
      delays.clear();
      if (pumpTimer !== undefined) clearTimeout(pumpTimer);
      queue.length = 0;
      queued.clear();
      return running === 0 ? Promise.resolve() : new Promise<void>((r) => (drained = r));
    },
  };
}

/** newTokenBucket is the overall rate limit: burst takes at once, refilled at rate per second. The function it returns takes a token and says whether one was free. */
function newTokenBucket(rate: number, burst: number): () => boolean {
  let tokens = burst;
  let lastRefill = Date.now();
  return () => {
    const now = Date.now();
    tokens = Math.min(burst, tokens + ((now - lastRefill) / 1000) * rate);
    lastRefill = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** Delays holds keys until their time comes, then hands them to add (client-go's delaying queue). */
interface Delays {
  /** addAfter hands key to add after ms, unless an earlier wake-up for it is already pending. */
  addAfter(key: string, ms: number): void;
  /** clear cancels every pending wake-up. */
  clear(): void;
}

/** newDelays creates an empty Delays feeding add. */
function newDelays(add: (key: string) => void): Delays {
  const delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  return {
    addAfter(key, ms) {
      const at = Date.now() + ms;
      const existing = delayed.get(key);
      // Keep the earliest wake-up: a later request is already covered by it.
      if (existing !== undefined && existing.at <= at) return;
      if (existing !== undefined) clearTimeout(existing.timer);
      const timer = setTimeout(() => {
        delayed.delete(key);
        add(key);
      }, ms);
      delayed.set(key, { at, timer });
    },
    clear() {
      for (const d of delayed.values()) clearTimeout(d.timer);
      delayed.clear();
    },
  };
}
