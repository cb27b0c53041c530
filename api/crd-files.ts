// crd-files: the exact text of every file in crds/, rendered from the kinds registry.
import { stringify } from "yaml";
import { customResourceDefinition } from "./crd.ts";
import { kindList } from "./kinds.ts";
import { group } from "./meta.ts";

const header = "# Generated from api/ by `npm run gen:crds`. Do not edit: change the zod schemas instead.\n";

/** renderCRDs returns file name → YAML text for every kind. */
export function renderCRDs(): Record<string, string> {
  const files: Record<string, string> = {};
  for (const info of kindList) {
    files[`${group}_${info.plural}.yaml`] = header + stringify(customResourceDefinition(info), { lineWidth: 0 });
  }
  return files;
}
