// events: core/v1 Events as the scheduler, kubelet and job controller record them, with
// source.component and reportingComponent set so `kubectl describe` and `kubectl get events`
// read as on a real cluster. Not implemented: the client-side aggregation and spam filter of
// client-go's recorder; each emit is one create. Failures to record are logged, never thrown.
import type { Logger } from "pino";
import type { Client } from "./client.ts";
import type { Meta } from "./types.ts";

/** Recorder emits Events about one kind of involved object for one component. */
export interface Recorder {
  emit(obj: { apiVersion?: string; kind?: string; metadata: Meta }, type: "Normal" | "Warning", reason: string, message: string): Promise<void>;
}

/** newRecorder returns a Recorder for component (for example "kubelet", "default-scheduler", "job-controller"). */
export function newRecorder(opts: { client: Client; log: Logger; component: string; host?: string; now: () => Date; random: () => number; defaultKind: { apiVersion: string; kind: string } }): Recorder {
  return {
    async emit(obj, type, reason, message) {
      const ns = obj.metadata.namespace ?? "default";
      const at = opts.now().toISOString();
      const suffix = Math.floor(opts.random() * 2 ** 48).toString(16).padStart(12, "0");
      const event = {
        apiVersion: "v1", kind: "Event",
        metadata: { name: `${obj.metadata.name}.${suffix}`, namespace: ns },
        involvedObject: {
          apiVersion: obj.apiVersion ?? opts.defaultKind.apiVersion, kind: obj.kind ?? opts.defaultKind.kind,
          name: obj.metadata.name, namespace: ns, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion,
        },
        reason, message, type, count: 1, firstTimestamp: at, lastTimestamp: at,
        source: { component: opts.component, ...(opts.host === undefined ? {} : { host: opts.host }) },
        reportingComponent: opts.component, reportingInstance: opts.host ?? opts.component,
      };
      try {
        await opts.client.create(`/api/v1/namespaces/${ns}/events`, event);
      } catch (err) {
        opts.log.warn({ reason, object: `${ns}/${obj.metadata.name}`, err: String(err) }, "Failed to record event");
      }
    },
  };
}
