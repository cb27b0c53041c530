// Every schema rule of SFTJob and RLJob, each with a case that breaks it and the valid case it
// was bent from. Each case runs through both enforcement paths — zod parsing (operator,
// trainer) and the CRD schema + CEL (`temper validate`, the apiserver) — which must agree.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { rlJob, sftJob, withPath } from "../test/builders/manifests.ts";
import { kinds } from "./kinds.ts";
import { validateObject } from "./validate.ts";

type Obj = Record<string, unknown>;
interface Case { name: string; base: () => Obj; path: string; value: unknown; field: string }

const cases: Case[] = [
  // SFTJob
  { name: "rejects zero workers", base: sftJob, path: "spec.workers", value: 0, field: "spec.workers" },
  { name: "rejects a fractional worker count", base: sftJob, path: "spec.workers", value: 1.5, field: "spec.workers" },
  { name: "rejects more than 16 GPUs per worker", base: sftJob, path: "spec.gpusPerWorker", value: 17, field: "spec.gpusPerWorker" },
  { name: "rejects an unknown spec field", base: sftJob, path: "spec.replicas", value: 2, field: "spec.replicas" },
  { name: "rejects a bad resource quantity", base: sftJob, path: "spec.resources", value: { requests: { cpu: "lots" } }, field: "spec.resources.requests.cpu" },
  { name: "rejects a negative TTL", base: sftJob, path: "spec.ttlSecondsAfterFinished", value: -1, field: "spec.ttlSecondsAfterFinished" },
  { name: "rejects zero epochs", base: sftJob, path: "spec.epochs", value: 0, field: "spec.epochs" },
  { name: "rejects a zero learning rate", base: sftJob, path: "spec.learningRate", value: 0, field: "spec.learningRate" },
  { name: "rejects a data level above 5", base: sftJob, path: "spec.data", value: { levels: [6] }, field: "spec.data.levels[0]" },
  { name: "rejects a code level above 3", base: sftJob, path: "spec.data", value: { task: "code", levels: [1, 4] }, field: "spec.data.levels" },
  { name: "rejects an unknown task", base: sftJob, path: "spec.data", value: { task: "poetry" }, field: "spec.data.task" },
  { name: "rejects a model with both architecture and from", base: sftJob, path: "spec.model", value: { architecture: {}, from: "file:///c" }, field: "spec.model" },
  { name: "rejects a model with neither architecture nor from", base: sftJob, path: "spec.model", value: {}, field: "spec.model" },
  { name: "rejects dModel not divisible by heads", base: sftJob, path: "spec.model", value: { architecture: { dModel: 100, heads: 3 } }, field: "spec.model.architecture.dModel" },
  { name: "rejects a sequence longer than the context", base: () => sftJob("a", { model: { architecture: { contextLength: 64 } }, maxSequenceLength: 64 }), path: "spec.maxSequenceLength", value: 128, field: "spec.maxSequenceLength" },
  { name: "rejects a batch smaller than the number of workers", base: () => sftJob("a", { workers: 4 }), path: "spec.batchSize", value: 2, field: "spec.batchSize" },
  { name: "rejects a name longer than 40 characters", base: sftJob, path: "metadata.name", value: "x".repeat(41), field: "" },
  { name: "rejects a suspend that is not a boolean", base: sftJob, path: "spec.suspend", value: "yes", field: "spec.suspend" },
  { name: "rejects maxRestarts above 100", base: sftJob, path: "spec.failurePolicy", value: { maxRestarts: 101 }, field: "spec.failurePolicy.maxRestarts" },
  // RLJob
  { name: "rejects initFrom with both sftJob and checkpoint", base: rlJob, path: "spec.initFrom", value: { sftJob: "a", checkpoint: "file:///c" }, field: "spec.initFrom" },
  { name: "rejects initFrom with neither sftJob nor checkpoint", base: rlJob, path: "spec.initFrom", value: {}, field: "spec.initFrom" },
  { name: "rejects a missing initFrom", base: rlJob, path: "spec.initFrom", value: undefined, field: "spec.initFrom" },
  { name: "rejects an sftJob reference that is not a DNS label", base: rlJob, path: "spec.initFrom", value: { sftJob: "Not_A_Name" }, field: "spec.initFrom.sftJob" },
  { name: "rejects empty stages", base: rlJob, path: "spec.stages", value: [], field: "spec.stages" },
  { name: "rejects missing stages", base: rlJob, path: "spec.stages", value: undefined, field: "spec.stages" },
  { name: "rejects duplicate stage names", base: rlJob, path: "spec.stages", value: [{ name: "s", maxResponseLength: 64 }, { name: "s", maxResponseLength: 64 }], field: "spec.stages" },
  { name: "rejects a stage without maxResponseLength", base: rlJob, path: "spec.stages", value: [{ name: "s" }], field: "spec.stages[0].maxResponseLength" },
  { name: "rejects a stage's code level above 3", base: rlJob, path: "spec.stages", value: [{ name: "s", maxResponseLength: 64, data: { task: "code", levels: [5] } }], field: "spec.stages[0].data.levels" },
  { name: "rejects a group of one rollout", base: rlJob, path: "spec.stages", value: [{ name: "s", maxResponseLength: 64, rolloutsPerPrompt: 1 }], field: "spec.stages[0].rolloutsPerPrompt" },
  { name: "rejects temperature.min above temperature.max", base: rlJob, path: "spec.temperature", value: { min: 0.9, max: 0.5, initial: 0.7 }, field: "spec.temperature.max" },
  { name: "rejects an initial temperature below min", base: rlJob, path: "spec.temperature", value: { min: 0.5, initial: 0.4 }, field: "spec.temperature.initial" },
  { name: "rejects an initial temperature above max", base: rlJob, path: "spec.temperature", value: { max: 1, initial: 1.2 }, field: "spec.temperature.initial" },
  { name: "rejects a zero target entropy", base: rlJob, path: "spec.temperature", value: { targetEntropy: 0 }, field: "spec.temperature.targetEntropy" },
  { name: "rejects a target entropy above ln(vocab)", base: rlJob, path: "spec.temperature", value: { targetEntropy: 13 }, field: "spec.temperature.targetEntropy" },
  { name: "rejects an unknown temperature policy", base: rlJob, path: "spec.temperature", value: { policy: "Adaptive" }, field: "spec.temperature.policy" },
  { name: "rejects policy Schedule without a schedule", base: rlJob, path: "spec.temperature", value: { policy: "Schedule" }, field: "spec.temperature.schedule" },
  { name: "rejects a schedule temperature outside [min, max]", base: rlJob, path: "spec.temperature", value: { policy: "Schedule", schedule: [{ epoch: 0, temperature: 3 }] }, field: "spec.temperature.schedule" },
  { name: "rejects a zero maxStep", base: rlJob, path: "spec.temperature", value: { maxStep: 0 }, field: "spec.temperature.maxStep" },
  { name: "rejects evaluation topP above 1", base: rlJob, path: "spec.evaluation", value: { topP: 1.5 }, field: "spec.evaluation.topP" },
  { name: "rejects a truncated reward above 1", base: rlJob, path: "spec.reward", value: { truncatedReward: 2 }, field: "spec.reward.truncatedReward" },
];

function zodIssues(m: Obj): string[] {
  const kind = kinds[m.kind as "SFTJob" | "RLJob"];
  const r = kind.schema.safeParse(m);
  if (r.success) return [];
  const dotted = (path: PropertyKey[]) => path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  // An unknown field is reported on its parent with the key listed; name the field itself.
  return r.error.issues.flatMap((i) => (i.code === "unrecognized_keys" ? i.keys.map((k) => dotted([...i.path, k])) : [dotted(i.path)]));
}

describe("schema rules", () => {
  test("the minimal SFTJob and RLJob are valid on both paths", () => {
    for (const m of [sftJob(), rlJob()]) {
      assert.deepEqual(zodIssues(m), []);
      assert.deepEqual(validateObject(structuredClone(m), 0).problems, []);
    }
  });
  for (const c of cases) {
    test(c.name, () => {
      const bad = withPath(c.base(), c.path, c.value);
      assert.deepEqual(zodIssues(c.base()), [], "the base case is valid for zod");
      assert.deepEqual(validateObject(structuredClone(c.base()), 0).problems, [], "the base case is valid for the CRD schema");
      const z = zodIssues(bad);
      assert.ok(z.some((f) => f === c.field), `zod names ${c.field}: got ${JSON.stringify(z)}`);
      const fields = validateObject(bad, 0).problems.map((p) => p.field);
      assert.ok(fields.includes(c.field), `the CRD schema names ${c.field}: got ${JSON.stringify(fields)}`);
    });
  }
});

describe("defaults", () => {
  test("an RLJob gets the paper's temperature defaults on both paths", () => {
    const m = rlJob();
    const parsed = kinds.RLJob.schema.parse(m) as { spec: { temperature: Obj; evaluation: Obj; stages: Obj[] } };
    assert.deepEqual(parsed.spec.temperature, { policy: "EntropyTarget", initial: 0.6, targetEntropy: 0.3, tolerance: 0.05, min: 0.3, max: 1.5, maxStep: 0.1 });
    assert.deepEqual(parsed.spec.evaluation, { temperature: 0.6, topP: 0.95, k: 4, everyEpochs: 1 });
    assert.equal(parsed.spec.stages[0].rolloutsPerPrompt, 8);
    const viaCrd = structuredClone(m);
    validateObject(viaCrd, 0);
    assert.deepEqual((viaCrd.spec as { temperature: Obj }).temperature, parsed.spec.temperature);
  });
  test("an SFTJob with no model trains the demo architecture from scratch", () => {
    const parsed = kinds.SFTJob.schema.parse(sftJob()) as { spec: { model: Obj; checkpoint: Obj } };
    assert.deepEqual(parsed.spec.model, { architecture: { layers: 4, dModel: 128, heads: 4, contextLength: 128, mlpRatio: 4 } });
    assert.equal(parsed.spec.checkpoint.storage, "10Gi");
  });
});

describe("messages", () => {
  test("a code level above 3 names the field and the levels code has, on both paths", () => {
    const bad = withPath(sftJob(), "spec.data", { task: "code", levels: [4] });
    const p = validateObject(structuredClone(bad), 0).problems.find((x) => x.field === "spec.data.levels");
    assert.match(p?.message ?? "", /code tasks have levels 1\.\.3$/);
    const r = kinds.SFTJob.schema.safeParse(bad);
    assert.deepEqual(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`), ["spec.data.levels: code tasks have levels 1..3"]);
  });
  test("math keeps levels 4 and 5, and code accepts 1..3", () => {
    for (const data of [{ task: "math", levels: [4, 5] }, { task: "code", levels: [1, 2, 3] }]) {
      const m = withPath(sftJob(), "spec.data", data);
      assert.deepEqual(zodIssues(m), [], JSON.stringify(data));
      assert.deepEqual(validateObject(m, 0).problems, [], JSON.stringify(data));
    }
  });

  test("a temperature rule quotes the offending bound", () => {
    const bad = withPath(rlJob(), "spec.temperature", { min: 0.9, max: 0.5, initial: 0.7 });
    const p = validateObject(bad, 0).problems.find((x) => x.field === "spec.temperature.max");
    assert.equal(p?.message, "Invalid value: 0.5: must be >= spec.temperature.min (0.9)");
  });
});
