#!/usr/bin/env node
// temper-trainer: the trainer entry point every pod runs (`temper-trainer sft|rl|eval --config FILE`).
// Everything lives in trainer/cli.ts; this file only hands over the arguments and exit code.
// Where reports go is in the config; the report client's own events go to stderr.
import { trainerCommand } from "../trainer/cli.ts";

const log = (e: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
process.exitCode = await trainerCommand(process.argv.slice(2), { report: { log } });
