// data-stats: prints JSON describing the generated datasets per level — prompt and response
// lengths in characters, distinct teacher traces per prompt, and the character entropy of the
// traces' opening (where the teacher's choice of route shows) — so changes to the generators
// can be judged against the model's context length and the entropy the RL loop needs. The
// problems and traces are the ones training draws: loadSuite's problems() and teacher().
import { Rng } from "../trainer/rng.ts";
import { loadSuite } from "../trainer/suite.ts";
import { codeLevels } from "../trainer/tasks/code.ts";
import { maxLevel } from "../trainer/tasks/math.ts";

function entropyOfOpenings(traces: string[], chars: number): number {
  // Mean over the first `chars` positions of the entropy (nats) of the character there.
  let total = 0;
  for (let i = 0; i < chars; i++) {
    const counts = new Map<string, number>();
    for (const t of traces) counts.set(t[i] ?? "", (counts.get(t[i] ?? "") ?? 0) + 1);
    for (const c of counts.values()) total -= (c / traces.length) * Math.log(c / traces.length);
  }
  return total / chars;
}

const out: Record<string, unknown> = {};
for (const domain of ["math", "code"] as const) {
  const suite = await loadSuite(domain);
  const train = (level: number, prompts: number) => suite.problems({ levels: [level], prompts, seed: 0, split: "train" });
  for (const level of domain === "math" ? Array.from({ length: maxLevel }, (_, i) => i + 1) : codeLevels) {
    const rng = new Rng(0);
    const d = train(level, 500).map((problem) => ({ problem, responses: suite.teacher(problem, rng, 4) }));
    const prompts = d.map((e) => e.problem.prompt.length);
    const responses = d.flatMap((e) => e.responses.map((r) => r.length));
    out[`${domain}-${level}`] = {
      prompts: d.length,
      promptChars: { mean: +(prompts.reduce((a, b) => a + b, 0) / prompts.length).toFixed(1), max: Math.max(...prompts) },
      responseChars: { mean: +(responses.reduce((a, b) => a + b, 0) / responses.length).toFixed(1), max: Math.max(...responses) },
      distinctTracesPerPrompt: +(d.reduce((a, e) => a + new Set(e.responses).size, 0) / d.length).toFixed(2),
      // How many distinct prompts 20,000 training draws of the level hold: a small level is
      // learnt by heart rather than generalised, so its held-out accuracy means less.
      distinctTrainPromptsCapped: domain === "math" ? new Set(train(level, 20000).map((p) => p.prompt)).size : null,
      openingEntropyNats: +(d.reduce((a, e) => a + entropyOfOpenings(e.responses, 12), 0) / d.length).toFixed(3),
    };
  }
}
process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
