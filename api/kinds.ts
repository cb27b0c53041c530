// kinds: the registry of temper's kinds — each kind's schema with the names and printer
// columns it is served under. The CRD generator, the validator and the operator all read it.
import type { z } from "zod";
import { RLJob } from "./rljob.ts";
import { SFTJob } from "./sftjob.ts";

/** PrinterColumn is one additionalPrinterColumns entry. */
export interface PrinterColumn {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  jsonPath: string;
  description: string;
  priority?: number;
}

/** KindInfo is what serving a kind needs beyond its schema. */
export interface KindInfo {
  kind: "SFTJob" | "RLJob";
  plural: string;
  singular: string;
  shortNames: string[];
  categories: string[];
  schema: z.ZodType;
  printerColumns: PrinterColumn[];
}

const shared = {
  phase: { name: "Phase", type: "string", jsonPath: ".status.phase", description: "Pending, Running, Succeeded, Failed or Suspended." },
  epoch: { name: "Epoch", type: "integer", jsonPath: ".status.epoch", description: "Epochs completed in the current stage." },
  attempt: { name: "Attempt", type: "integer", jsonPath: ".status.attempt", description: "Current gang attempt.", priority: 1 },
  restarts: { name: "Restarts", type: "integer", jsonPath: ".status.restarts", description: "Gang restarts so far.", priority: 1 },
  accuracy: { name: "Val-Accuracy", type: "number", jsonPath: ".status.metrics.accuracy", description: "Last validation accuracy." },
  testAccuracy: { name: "Test-Accuracy", type: "number", jsonPath: ".status.metrics.testAccuracy", description: "Test accuracy of the final weights, once the job ends.", priority: 1 },
  checkpoint: { name: "Checkpoint", type: "string", jsonPath: ".status.latestCheckpoint", description: "Latest checkpoint.", priority: 1 },
  age: { name: "Age", type: "date", jsonPath: ".metadata.creationTimestamp", description: "Time since creation." },
} satisfies Record<string, PrinterColumn>;

/** kinds lists every kind temper serves. */
export const kinds: Record<KindInfo["kind"], KindInfo> = {
  SFTJob: {
    kind: "SFTJob",
    plural: "sftjobs",
    singular: "sftjob",
    shortNames: ["sft"],
    categories: ["temper"],
    schema: SFTJob,
    printerColumns: [
      shared.phase,
      shared.epoch,
      { name: "Loss", type: "number", jsonPath: ".status.metrics.loss", description: "Last training loss." },
      shared.accuracy,
      shared.testAccuracy,
      shared.attempt,
      shared.restarts,
      shared.checkpoint,
      shared.age,
    ],
  },
  RLJob: {
    kind: "RLJob",
    plural: "rljobs",
    singular: "rljob",
    shortNames: ["rl"],
    categories: ["temper"],
    schema: RLJob,
    printerColumns: [
      shared.phase,
      { name: "Stage", type: "string", jsonPath: ".status.stage", description: "Current stage." },
      shared.epoch,
      { name: "Temperature", type: "number", jsonPath: ".status.temperature.current", description: "Sampling temperature of the next epoch." },
      { name: "Entropy", type: "number", jsonPath: ".status.temperature.entropy", description: "Last temperature-adjusted entropy." },
      { name: "Reward", type: "number", jsonPath: ".status.metrics.reward", description: "Last mean reward.", priority: 1 },
      { ...shared.accuracy, priority: 1 },
      shared.testAccuracy,
      shared.attempt,
      shared.restarts,
      shared.age,
    ],
  },
};

/** kindList is kinds as a list, in a stable order. */
export const kindList: KindInfo[] = [kinds.SFTJob, kinds.RLJob];
