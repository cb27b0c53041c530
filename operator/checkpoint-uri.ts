// checkpoint-uri: how checkpoints are named inside a pod and across the cluster, both ways.
// A trainer writes under /checkpoints on its job's claim and reports that pod path; status
// records it as pvc://CLAIM/PATH, which any later pod can mount — a restarted gang (under
// /checkpoints again) or an RLJob starting from an SFTJob (read-only under /init). Pure; every
// other file that turns one into the other calls these.
import type { TemperJob } from "./job.ts";
import { claimName, paths } from "./names.ts";

const pvcScheme = "pvc://";

/** checkpointClaimName is the claim job's checkpoints live on: spec.checkpoint.claimName, or the one the operator creates. */
export function checkpointClaimName(job: TemperJob): string {
  return job.obj.spec.checkpoint.claimName ?? claimName(job.name);
}

/** splitPvcUri reads pvc://claim/path into its parts; undefined for any other URI. */
export function splitPvcUri(uri: string): { claim: string; path: string } | undefined {
  if (!uri.startsWith(pvcScheme)) return undefined;
  const m = /^([^/]+)\/?(.*)$/.exec(uri.slice(pvcScheme.length));
  return m === null ? undefined : { claim: m[1], path: m[2] };
}

/**
 * checkpointUri maps a checkpoint path as the trainer sees it in its pod (/checkpoints/step-N,
 * with or without file://) to the cluster-wide URI status records (pvc://claim/step-N). Other
 * paths and URIs pass unchanged.
 */
export function checkpointUri(podPath: string, claim: string): string {
  const path = podPath.startsWith("file://") ? podPath.slice("file://".length) : podPath;
  if (path === paths.checkpoints || path.startsWith(`${paths.checkpoints}/`)) return `${pvcScheme}${claim}${path.slice(paths.checkpoints.length)}`;
  return podPath;
}

/**
 * toPodPath is checkpointUri's inverse for a pod of the job whose claim is ownClaim: a URI on
 * that claim becomes file:///checkpoints/…; one on another claim becomes file:///init/… and names
 * the claim to mount there (read-only). Other URIs pass unchanged.
 */
export function toPodPath(uri: string, ownClaim: string): { uri: string; mountClaim?: string } {
  const p = splitPvcUri(uri);
  if (p === undefined) return { uri };
  if (p.claim === ownClaim) return { uri: `file://${paths.checkpoints}/${p.path}` };
  return { uri: `file://${paths.init}/${p.path}`, mountClaim: p.claim };
}
