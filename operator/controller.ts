// controller: the builder that wires a reconciler to the informers whose events wake it, read as
// a sentence — controller("rljob").for(RLJob).owns(Job).watches(SFTJob, fn).reconcile(r) — and
// the runner that turns that config into handlers feeding one workqueue. The builder only
// produces config; nothing runs until startController.
import type { Logger } from "pino";
import type { Informer } from "./informer.ts";
import type { KubeObject } from "./kube.ts";
import { keyOf, type Resource } from "./resources.ts";
import { newWorkqueue, type Outcome, type QueueOptions, type Result, type Workqueue } from "./workqueue.ts";

/** Reconciler moves one object, named by its key, toward its spec. */
export type Reconciler = (key: string) => Promise<Result>;

/** MapFn maps an event on a watched object to the keys of the objects to reconcile. */
export type MapFn = (obj: KubeObject) => string[];

/** ControllerConfig is what the builder produces. */
export interface ControllerConfig {
  name: string;
  for: Resource;
  owns: Resource[];
  watches: { resource: Resource; map: MapFn }[];
  reconcile: Reconciler;
}

/** Builder is the fluent form of ControllerConfig. */
export interface Builder {
  for(r: Resource): Builder;
  owns(r: Resource): Builder;
  watches(r: Resource, map: MapFn): Builder;
  reconcile(r: Reconciler): ControllerConfig;
}

/** controller starts a builder for a controller called name. */
export function controller(name: string): Builder {
  let forR: Resource | undefined;
  const owns: Resource[] = [];
  const watches: ControllerConfig["watches"] = [];
  const b: Builder = {
    for: (r) => ((forR = r), b),
    owns: (r) => (owns.push(r), b),
    watches: (r, map) => (watches.push({ resource: r, map }), b),
    reconcile: (reconcile) => {
      if (forR === undefined) throw new Error(`controller ${name}: for() was not called`);
      return { name, for: forR, owns, watches, reconcile };
    },
  };
  return b;
}

/** ownerKeys maps a child to the key of its controlling owner of kind. */
export function ownerKeys(kind: string, obj: KubeObject): string[] {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller === true && r.kind === kind);
  return ref === undefined ? [] : [keyOf(obj.metadata.namespace, ref.name)];
}

/** RunningController is a started controller. */
export interface RunningController {
  name: string;
  queue: Workqueue;
  stop(): Promise<void>;
}

/** startController hooks cfg's informers to a new workqueue and starts workers. */
export function startController(
  cfg: ControllerConfig,
  informerFor: (r: Resource) => Informer,
  log: Logger,
  queueOptions: QueueOptions & { onOutcome?: (key: string, outcome: Outcome, ms: number, err?: unknown) => void },
): RunningController {
  const queue = newWorkqueue(queueOptions);
  informerFor(cfg.for).on((_t, obj) => queue.add(keyOf(obj.metadata.namespace, obj.metadata.name)));
  for (const r of cfg.owns) informerFor(r).on((_t, obj) => ownerKeys(cfg.for.kind, obj).forEach((k) => queue.add(k)));
  for (const w of cfg.watches) informerFor(w.resource).on((_t, obj) => w.map(obj).forEach((k) => queue.add(k)));
  queue.start(cfg.reconcile);
  log.info({ controller: cfg.name }, "Started controller");
  return { name: cfg.name, queue, stop: () => queue.shutdown() };
}
