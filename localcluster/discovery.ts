// API discovery: /api and /apis in both the aggregated form (apidiscovery.k8s.io/v2, which
// kubectl 1.32 asks for first) and the legacy form, plus the per-group-version resource lists.
// Built from the registry on each request, so a new CRD shows up at once.
import type { Registry } from "./registry.ts";
import { apiVersionOf, type Obj, type ResourceType } from "./types.ts";

/** AGGREGATED_TYPE is the exact Content-Type kubectl needs to read an aggregated answer. */
export const AGGREGATED_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

/** wantsAggregated tells whether an Accept header asks for aggregated discovery v2. */
export function wantsAggregated(accept: string): boolean {
  return accept.includes("g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList") || accept.includes("v=v2;g=apidiscovery.k8s.io");
}

const allVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

function subresourcesOf(t: ResourceType): string[] {
  return [...(t.hasStatus ? ["status"] : []), ...t.extraSubresources];
}

function subresourceKind(t: ResourceType, s: string): string {
  return s === "binding" ? "Binding" : t.kind;
}

function subresourceVerbs(s: string): string[] {
  return s === "log" ? ["get"] : s === "binding" ? ["create"] : ["get", "patch", "update"];
}

function aggregatedResource(t: ResourceType): Obj {
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  return {
    resource: t.plural,
    responseKind: gvk,
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: allVerbs,
    ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length ? { categories: t.categories } : {}),
    subresources: subresourcesOf(t).map((s) => ({ subresource: s, responseKind: { ...gvk, kind: subresourceKind(t, s) }, verbs: subresourceVerbs(s) })),
  };
}

/** groupsOf returns group names in serving order with their versions in preference order. */
function groupsOf(reg: Registry, core: boolean): Map<string, Map<string, ResourceType[]>> {
  const groups = new Map<string, Map<string, ResourceType[]>>();
  for (const t of reg.all()) {
    if ((t.group === "") !== core) continue;
    const versions = groups.get(t.group) ?? new Map<string, ResourceType[]>();
    groups.set(t.group, versions);
    versions.set(t.version, [...(versions.get(t.version) ?? []), t]);
  }
  return groups;
}

/** aggregatedDiscovery answers /api (core=true) or /apis as an APIGroupDiscoveryList. */
export function aggregatedDiscovery(reg: Registry, core: boolean): Obj {
  const items = [...groupsOf(reg, core)].map(([name, versions]) => ({
    metadata: { name },
    versions: [...versions].map(([version, types]) => ({ version, resources: types.map(aggregatedResource), freshness: "Current" })),
  }));
  return { kind: "APIGroupDiscoveryList", apiVersion: "apidiscovery.k8s.io/v2", metadata: {}, items };
}

/** legacyApi answers /api with APIVersions. */
export function legacyApi(): Obj {
  return { kind: "APIVersions", versions: ["v1"], serverAddressByClientCIDRs: [{ clientCIDR: "0.0.0.0/0", serverAddress: "127.0.0.1" }] };
}

function apiGroup(name: string, versions: string[]): Obj {
  const list = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: list, preferredVersion: list[0] };
}

/** legacyApis answers /apis with an APIGroupList. */
export function legacyApis(reg: Registry): Obj {
  const groups = [...groupsOf(reg, false)].map(([name, versions]) => apiGroup(name, [...versions.keys()]));
  return { kind: "APIGroupList", apiVersion: "v1", groups };
}

/** legacyGroup answers /apis/GROUP with an APIGroup, or undefined for an unknown group. */
export function legacyGroup(reg: Registry, group: string): Obj | undefined {
  const versions = groupsOf(reg, false).get(group);
  return versions === undefined ? undefined : { kind: "APIGroup", apiVersion: "v1", ...apiGroup(group, [...versions.keys()]) };
}

/** resourceList answers /api/v1 or /apis/G/V with an APIResourceList, or undefined. */
export function resourceList(reg: Registry, group: string, version: string): Obj | undefined {
  const types = reg.all().filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  const resources: Obj[] = [];
  for (const t of types) {
    resources.push({
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: allVerbs,
      ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
      ...(t.categories.length ? { categories: t.categories } : {}),
    });
    for (const s of subresourcesOf(t)) {
      resources.push({ name: `${t.plural}/${s}`, singularName: "", namespaced: t.namespaced, kind: subresourceKind(t, s), verbs: subresourceVerbs(s) });
    }
  }
  return { kind: "APIResourceList", apiVersion: "v1", groupVersion: apiVersionOf({ group, version }), resources };
}
