#!/usr/bin/env node
// temper-trainer: the trainer entry point every pod runs (`temper-trainer sft|rl|eval --config FILE`).
// Everything lives in trainer/cli.ts; this file only hands over the arguments and exit code.
// In a pod the operator's environment says where epoch reports go; standalone there are none.
import { trainerCommand } from "../trainer/cli.ts";
import { reportHooks, reportTargetFromEnv } from "../trainer/report-client.ts";

const log = (e: Record<string, unknown>) => process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`);
process.exitCode = await trainerCommand(process.argv.slice(2), reportHooks(reportTargetFromEnv(process.env), { log }));
