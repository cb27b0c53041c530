// manifests: builders for valid SFTJob and RLJob manifests that tests bend one field at a time.
// Each builder starts from the smallest valid object, so a test that breaks a single rule
// proves that rule and nothing else.

type Obj = Record<string, unknown>;

/** sftJob returns a minimal valid SFTJob manifest named name. */
export function sftJob(name = "a", spec: Obj = {}): Obj {
  return { apiVersion: "temper.dev/v1alpha1", kind: "SFTJob", metadata: { name }, spec: { ...spec } };
}

/** rlJob returns a minimal valid RLJob manifest named name. */
export function rlJob(name = "a", spec: Obj = {}): Obj {
  return {
    apiVersion: "temper.dev/v1alpha1",
    kind: "RLJob",
    metadata: { name },
    spec: { initFrom: { sftJob: "base" }, stages: [{ name: "s1", maxResponseLength: 64 }], ...spec },
  };
}

/** withPath returns a deep copy of obj with the dotted path set to value (undefined deletes it). */
export function withPath(obj: Obj, path: string, value: unknown): Obj {
  const copy = structuredClone(obj);
  const segs = path.split(".");
  let cur: Obj = copy;
  for (const s of segs.slice(0, -1)) {
    if (typeof cur[s] !== "object" || cur[s] === null) cur[s] = {};
    cur = cur[s] as Obj;
  }
  const last = segs[segs.length - 1];
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return copy;
}
