// Parsing of resource URLs: /api/v1/..., /apis/GROUP/VERSION/..., with or without
// namespaces/NS, naming a collection, an object or an object's subresource.
import { badRequest } from "./errors.ts";
import type { Registry } from "./registry.ts";
import type { ResourceType } from "./types.ts";

/** ResourceRoute is a request path resolved against the registry. */
export interface ResourceRoute {
  rt: ResourceType;
  /** namespace is "" for cluster-scoped requests and for all-namespace lists. */
  namespace: string;
  allNamespaces: boolean;
  name?: string;
  subresource?: string;
}

/** GroupVersionPath is a path that names only a group/version (discovery). */
export interface GroupVersionPath {
  group: string;
  version: string;
  rest: string[];
}

/** decodeSegment decodes one path segment; a malformed percent-encoding is the client's error (400), as the API server answers it. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`invalid percent-encoding in the request path segment ${JSON.stringify(segment.slice(0, 100))}`);
  }
}

/** splitGroupVersion parses /api/v1/... or /apis/G/V/...; undefined for other paths. */
export function splitGroupVersion(path: string): GroupVersionPath | undefined {
  const parts = path.split("/").filter((p) => p !== "").map(decodeSegment);
  if (parts[0] === "api" && parts.length >= 2) return { group: "", version: parts[1], rest: parts.slice(2) };
  if (parts[0] === "apis" && parts.length >= 3) return { group: parts[1], version: parts[2], rest: parts.slice(3) };
  return undefined;
}

/** resolveRoute maps group/version/rest onto a served resource, or undefined. */
export function resolveRoute(reg: Registry, gv: GroupVersionPath): ResourceRoute | undefined {
  const { group, version, rest } = gv;
  if (rest.length >= 3 && rest[0] === "namespaces") {
    const rt = reg.find(group, version, rest[2]);
    if (rt !== undefined && rt.namespaced && rest.length <= 5) {
      return { rt, namespace: rest[1], allNamespaces: false, name: rest[3], subresource: rest[4] };
    }
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const rt = reg.find(group, version, rest[0]);
  if (rt === undefined) return undefined;
  if (rt.namespaced) return rest.length === 1 ? { rt, namespace: "", allNamespaces: true } : undefined;
  return { rt, namespace: "", allNamespaces: false, name: rest[1], subresource: rest[2] };
}
