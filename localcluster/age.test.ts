// Ages rendered the way the apiserver's table converter rounds them.
import assert from "node:assert/strict";
import { test } from "node:test";
import { humanDuration } from "./age.ts";

const s = 1000;
const cases: [number, string][] = [[5 * s, "5s"], [119 * s, "119s"], [150 * s, "2m30s"], [600 * s, "10m"], [3 * 3600 * s + 120 * s, "3h2m"], [30 * 3600 * s, "30h"], [3 * 86400 * s, "3d"], [3 * 86400 * s + 3600 * s, "3d1h"], [400 * 86400 * s, "400d"], [3 * 365 * 86400 * s, "3y0d"]];
for (const [ms, want] of cases) test(`renders ${ms / 1000} seconds as ${want}`, () => assert.equal(humanDuration(ms), want));
