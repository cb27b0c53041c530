// The CRD lifecycle: a stored CustomResourceDefinition becomes served resource types at once
// (names accepted, Established), and a deleted one takes its custom resources with it.
import type { Api, Change } from "./api.ts";
import { typesOfCrd } from "./registry.ts";
import { bucketOf } from "./store.ts";
import { deepEqual, type Obj } from "./types.ts";

const CRD_BUCKET = bucketOf("apiextensions.k8s.io", "customresourcedefinitions");

function condition(type: string, reason: string, message: string, now: string): Obj {
  return { type, status: "True", lastTransitionTime: now, reason, message };
}

function desiredStatus(crd: Obj, now: string): Obj {
  const old: Obj[] = crd.status?.conditions ?? [];
  const keep = (c: Obj): Obj => old.find((o) => o.type === c.type && o.status === c.status) ?? c;
  return {
    conditions: [keep(condition("NamesAccepted", "NoConflicts", "no conflicts found", now)), keep(condition("Established", "InitialNamesAccepted", "the initial names have been accepted", now))],
    acceptedNames: crd.spec.names,
    storedVersions: (crd.spec.versions as Obj[]).filter((v) => v.storage === true).map((v) => v.name),
  };
}

/** syncCrd registers the types of one CRD change and keeps its status current. */
export function syncCrd(api: Api, change: Change): void {
  if (bucketOf(change.rt.group, change.rt.plural) !== CRD_BUCKET) return;
  const crd = change.object;
  const name = String(crd.metadata.name);
  if (change.deleted) {
    for (const t of api.registry.all().filter((t) => t.crdName === name && t.storageVersion)) {
      for (const o of api.list(t, undefined)) api.forceRemove(t, o);
    }
    api.registry.setCrd(name, []);
    return;
  }
  api.registry.setCrd(name, typesOfCrd(crd));
  const status = desiredStatus(crd, api.nowIso());
  if (!deepEqual(status, crd.status)) api.putInternal(change.rt, { ...crd, status });
}

/** loadCrds registers every stored CRD (after a restart). */
export function loadCrds(api: Api): void {
  for (const crd of api.store.list(CRD_BUCKET)) api.registry.setCrd(String(crd.metadata.name), typesOfCrd(crd));
}
