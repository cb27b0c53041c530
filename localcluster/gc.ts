// The server's own controllers for deletion: owner-reference garbage collection (background,
// foreground and orphan propagation) and namespace cleanup. Like kube-controller-manager's
// they run after the write that triggers them, not inside it, and converge by repeated passes.
import type { Api, Change } from "./api.ts";
import { bucketOf } from "./store.ts";
import { deepEqual, type Obj, type ResourceType } from "./types.ts";

/** GarbageCollector schedules passes; notify is wired to the api's afterChange. */
export interface GarbageCollector {
  notify(change: Change): void;
  /** settle resolves once no pass is pending (tests and shutdown use it). */
  settle(): Promise<void>;
}

function storageTypes(api: Api): ResourceType[] {
  const seen = new Set<string>();
  return api.registry.all().filter((t) => {
    const b = bucketOf(t.group, t.plural);
    if (!t.storageVersion || seen.has(b)) return false;
    seen.add(b);
    return true;
  });
}

function withoutFinalizer(o: Obj, f: string): Obj {
  return { ...o, metadata: { ...o.metadata, finalizers: (o.metadata.finalizers ?? []).filter((x: string) => x !== f) } };
}

type Entry = { rt: ResourceType; o: Obj };

function withoutOwner(o: Obj, uid: string): Obj {
  const refs = (o.metadata.ownerReferences as Obj[]).filter((r) => r.uid !== uid);
  const { ownerReferences: _drop, ...meta } = o.metadata;
  return { ...o, metadata: refs.length > 0 ? { ...meta, ownerReferences: refs } : meta };
}

function finish(api: Api, e: Entry, finalizer: string): void {
  const next = withoutFinalizer(e.o, finalizer);
  if (next.metadata.finalizers.length === 0) api.forceRemove(e.rt, e.o);
  else api.putInternal(e.rt, next);
}

function deleteDependent(api: Api, d: Entry): void {
  if (d.o.metadata.deletionTimestamp) return;
  try {
    api.delete(d.rt, d.o.metadata.namespace ?? "", d.o.metadata.name, { propagationPolicy: "Background" });
  } catch {
    // Gone already: another pass or client removed it.
  }
}

function passOwners(api: Api, all: Entry[]): void {
  const uids = new Set(all.map((e) => String(e.o.metadata.uid)));
  const dependents = new Map<string, Entry[]>();
  for (const e of all) for (const ref of (e.o.metadata.ownerReferences ?? []) as Obj[]) dependents.set(ref.uid, [...(dependents.get(ref.uid) ?? []), e]);
  for (const e of all) {
    const m = e.o.metadata;
    const deps = dependents.get(m.uid) ?? [];
    const fin: string[] = m.finalizers ?? [];
    if (m.deletionTimestamp && fin.includes("orphan")) {
      for (const d of deps) api.putInternal(d.rt, withoutOwner(d.o, String(m.uid)));
      finish(api, e, "orphan");
    } else if (m.deletionTimestamp && fin.includes("foregroundDeletion")) {
      if (deps.length === 0) finish(api, e, "foregroundDeletion");
      else for (const d of deps) deleteDependent(api, d);
    }
    const refs: Obj[] = m.ownerReferences ?? [];
    if (refs.length > 0 && refs.every((r) => !uids.has(r.uid))) deleteDependent(api, e);
  }
}

function passNamespaces(api: Api, all: Entry[]): void {
  const nsType = api.registry.find("", "v1", "namespaces");
  if (nsType === undefined) return;
  for (const ns of api.list(nsType, undefined)) {
    if (!ns.metadata.deletionTimestamp) continue;
    const contents = all.filter((e) => e.rt.namespaced && e.o.metadata.namespace === ns.metadata.name);
    if (contents.length === 0) api.forceRemove(nsType, ns);
    else for (const c of contents) deleteDependent(api, c);
  }
}

/** newGarbageCollector builds the collector; passes run on the next tick after a relevant change. */
export function newGarbageCollector(getApi: () => Api): GarbageCollector {
  let pending: Promise<void> | undefined;
  const run = (): void => {
    pending = undefined;
    const api = getApi();
    const all: Entry[] = storageTypes(api).flatMap((rt) => api.list(rt, undefined).map((o) => ({ rt, o })));
    passOwners(api, all);
    passNamespaces(api, all);
  };
  const schedule = (): void => {
    pending ??= new Promise((resolve) => setImmediate(() => {
      run();
      resolve();
    }));
  };
  return {
    notify(change) {
      const m = change.object.metadata;
      // Status writes to owned objects (pods of a job) change no ownership: they need no pass.
      const refsChanged = (m.ownerReferences ?? []).length > 0 && !deepEqual(m.ownerReferences, change.prev?.metadata.ownerReferences);
      const relevant = change.deleted || m.deletionTimestamp !== undefined || refsChanged;
      if (relevant) schedule();
    },
    async settle() {
      while (pending !== undefined) await pending;
    },
  };
}
