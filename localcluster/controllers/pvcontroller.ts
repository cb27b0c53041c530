// pvcontroller: binds PersistentVolumeClaims to directories, as a dynamic provisioner with a
// Retain policy would: a Pending claim gets DATA/pvc/NS/CLAIM and status.phase Bound with its
// requested capacity. The directory outlives pods (checkpoints survive a gang restart) and the
// claim itself (deleting a claim keeps the data). Not implemented: PersistentVolume objects,
// storage classes, access-mode checks, capacity limits.
import { mkdirSync } from "node:fs";
import type { Logger } from "pino";
import type { Client } from "./client.ts";
import { newInformer } from "./client.ts";
import type { Recorder } from "./events.ts";
import { keyOf, type Pvc } from "./types.ts";
import { pvcDir } from "./volumes.ts";

/** startPvController binds every claim that is not Bound yet. */
export function startPvController(opts: { client: Client; log: Logger; events: Recorder; dataDir: string }): { stop(): void; synced: Promise<void> } {
  const binding = new Set<string>();
  const bind = async (pvc: Pvc): Promise<void> => {
    const key = keyOf(pvc);
    if (pvc.status?.phase === "Bound" || pvc.metadata.deletionTimestamp || binding.has(key)) return;
    binding.add(key);
    try {
      const ns = pvc.metadata.namespace ?? "default";
      const dir = pvcDir(opts.dataDir, ns, pvc.metadata.name);
      mkdirSync(dir, { recursive: true });
      const capacity = { storage: String(pvc.spec?.resources?.requests?.storage ?? "1Gi") };
      await opts.client.patch(`/api/v1/namespaces/${ns}/persistentvolumeclaims/${pvc.metadata.name}/status`, {
        status: { phase: "Bound", accessModes: pvc.spec?.accessModes ?? ["ReadWriteOnce"], capacity },
      });
      opts.log.info({ pvc: key, dir }, "Bound claim to directory");
      await opts.events.emit({ ...pvc, apiVersion: "v1", kind: "PersistentVolumeClaim" }, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume at ${dir}`);
    } catch (err) {
      opts.log.warn({ pvc: key, err: String(err) }, "Failed to bind claim");
    } finally {
      binding.delete(key);
    }
  };
  const inf = newInformer<Pvc>({ client: opts.client, path: "/api/v1/persistentvolumeclaims", log: opts.log, onChange: (type, p) => void (type === "DELETED" ? undefined : bind(p)) });
  return { synced: inf.synced, stop: () => inf.stop() };
}
