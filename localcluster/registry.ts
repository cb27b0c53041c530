// The registry of served resource types: the built-ins plus one entry per served version of
// every established CustomResourceDefinition. Discovery, OpenAPI and routing all read it; only
// the CRD lifecycle (crds.ts) changes it.
import { builtinKinds } from "./builtin-kinds.ts";
import type { Obj, PrinterColumn, ResourceType } from "./types.ts";

/** Registry maps group/version/plural to resource types. */
export interface Registry {
  /** find returns the type served at group/version/plural, if any. */
  find(group: string, version: string, plural: string): ResourceType | undefined;
  /** all returns every served type, built-ins first, CRD versions in preference order. */
  all(): ResourceType[];
  /** storageOf returns the storage-version type of a group and plural (for GC and cascades). */
  storageOf(group: string, plural: string): ResourceType | undefined;
  /** setCrd replaces the types a CRD defines (none when it is being deleted). */
  setCrd(crdName: string, types: ResourceType[]): void;
}

/** newRegistry starts a registry holding the built-in kinds. */
export function newRegistry(): Registry {
  const builtins = builtinKinds();
  const crds = new Map<string, ResourceType[]>();
  const all = (): ResourceType[] => [...builtins, ...[...crds.values()].flat()];
  return {
    find: (group, version, plural) => all().find((t) => t.group === group && t.version === version && t.plural === plural),
    all,
    storageOf: (group, plural) => all().find((t) => t.group === group && t.plural === plural && t.storageVersion),
    setCrd(crdName, types) {
      if (types.length === 0) crds.delete(crdName);
      else crds.set(crdName, types);
    },
  };
}

/** typesOfCrd turns a CRD object into the resource types of its served versions, storage first. */
export function typesOfCrd(crd: Obj): ResourceType[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const versions: Obj[] = (spec.versions ?? []).filter((v: Obj) => v.served !== false);
  versions.sort((a, b) => Number(b.storage === true) - Number(a.storage === true));
  return versions.map((v) => ({
    group: String(spec.group),
    version: String(v.name),
    kind: String(names.kind),
    listKind: String(names.listKind ?? `${names.kind}List`),
    plural: String(names.plural),
    singular: String(names.singular ?? String(names.kind).toLowerCase()),
    namespaced: spec.scope !== "Cluster",
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    hasStatus: v.subresources?.status !== undefined,
    extraSubresources: [],
    schema: v.schema?.openAPIV3Schema ?? { type: "object", "x-kubernetes-preserve-unknown-fields": true },
    printerColumns: (v.additionalPrinterColumns ?? []) as PrinterColumn[],
    builtin: false,
    crdName: String(crd.metadata.name),
    storageVersion: v.storage === true,
  }));
}
