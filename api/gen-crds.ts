// gen-crds: writes crds/*.yaml from the zod schemas (npm run gen:crds). The output is checked
// in; crd.test.ts fails when it is stale, so the API and the CRDs never drift apart.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderCRDs } from "./crd-files.ts";

const dir = fileURLToPath(new URL("../crds/", import.meta.url));
for (const [file, text] of Object.entries(renderCRDs())) writeFileSync(dir + file, text);
