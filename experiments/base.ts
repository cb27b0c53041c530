// base: the jobs every experiment starts from are the demo's own, read from
// examples/pipeline.yaml, so a finding is about the model and data `npm start` trains and the
// arms differ from it only in what each experiment varies.
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";

/** Spec is a job's spec as written in YAML, before the schemas apply their defaults. */
export type Spec = Record<string, unknown>;

/** pipelineSpecs returns the SFTJob's and the RLJob's spec from the demo manifest. */
export async function pipelineSpecs(file: string | URL): Promise<{ sft: Spec; rl: Spec }> {
  const docs = parseAllDocuments(await readFile(file, "utf8")).map((d) => d.toJS() as { kind?: string; spec?: Spec });
  const of = (kind: string) => {
    const doc = docs.find((d) => d.kind === kind);
    if (doc?.spec === undefined) throw new Error(`${String(file)}: no ${kind} with a spec`);
    return doc.spec;
  };
  return { sft: of("SFTJob"), rl: of("RLJob") };
}

/** RlSize is how much RL an arm gets: prompts, epochs and held-out prompts of the one stage. */
export interface RlSize {
  prompts: number;
  epochs: number;
  validation: number;
  test: number;
}

/** rlSize is every RL experiment's budget, so arms of different experiments are the same runs. */
export const rlSize = (quick: boolean): RlSize => (quick ? { prompts: 64, epochs: 3, validation: 40, test: 60 } : { prompts: 128, epochs: 5, validation: 50, test: 100 });

/**
 * rlArmSpec is an experiment's RLJob: the demo's last RL stage alone (its data levels, response
 * length and learning rate) resized to size, from checkpoint, at a temperature policy and seed.
 */
export function rlArmSpec(rl: Spec, size: RlSize, checkpoint: string, temperature: Spec, seed: number): Spec {
  const stages = rl.stages as Spec[];
  const last = stages[stages.length - 1];
  return {
    initFrom: { checkpoint }, seed, temperature, evaluation: rl.evaluation,
    stages: [{ ...last, epochs: size.epochs, data: { ...(last.data as Spec), prompts: size.prompts, validationPrompts: size.validation, testPrompts: size.test } }],
  };
}

/** steeredTemperature is the demo's own EntropyTarget block with its target (and tolerance) replaced. */
export function steeredTemperature(rl: Spec, target: number, tolerance?: number): Spec {
  const t = rl.temperature as Spec;
  return { ...t, policy: "EntropyTarget", targetEntropy: target, ...(tolerance === undefined ? {} : { tolerance }) };
}
