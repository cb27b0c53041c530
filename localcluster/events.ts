// events.k8s.io/v1 Events are stored as core/v1 Events, as the apiserver does, so an event a
// controller records through either API shows up in `kubectl describe` and `kubectl get events`.
// This file converts between the two shapes; field names follow the events.k8s.io/v1 docs.
import type { Obj } from "./types.ts";

const pairs: [string, string][] = [
  ["regarding", "involvedObject"],
  ["note", "message"],
  ["deprecatedSource", "source"],
  ["deprecatedFirstTimestamp", "firstTimestamp"],
  ["deprecatedLastTimestamp", "lastTimestamp"],
  ["deprecatedCount", "count"],
  ["reportingController", "reportingComponent"],
];
const shared = ["metadata", "reason", "type", "action", "eventTime", "series", "related", "reportingInstance"];

function rename(o: Obj, from: number, to: number): Obj {
  const out: Obj = {};
  for (const k of shared) if (o[k] !== undefined) out[k] = o[k];
  for (const p of pairs) if (o[p[from]] !== undefined) out[p[to]] = o[p[from]];
  return out;
}

/** eventToCore turns an events.k8s.io/v1 Event into the core/v1 Event that is stored. */
export function eventToCore(o: Obj): Obj {
  const core = rename(o, 0, 1);
  if (core.source === undefined && typeof o.reportingController === "string") core.source = { component: o.reportingController, ...(o.reportingInstance ? { host: o.reportingInstance } : {}) };
  core.firstTimestamp ??= o.eventTime;
  core.lastTimestamp ??= o.eventTime;
  return { apiVersion: "v1", kind: "Event", ...core };
}

/** eventFromCore turns a stored core/v1 Event into its events.k8s.io/v1 form. */
export function eventFromCore(o: Obj): Obj {
  const v1 = rename(o, 1, 0);
  v1.reportingController ??= o.source?.component;
  v1.eventTime ??= o.firstTimestamp ?? o.metadata?.creationTimestamp;
  return { apiVersion: "events.k8s.io/v1", kind: "Event", ...v1 };
}
