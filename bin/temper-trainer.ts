#!/usr/bin/env node
// temper-trainer: the trainer entry point every pod runs (`temper-trainer sft|rl|eval --config FILE`).
// Everything lives in trainer/cli.ts; this file only hands over the arguments and exit code.
import { trainerCommand } from "../trainer/cli.ts";

process.exitCode = await trainerCommand(process.argv.slice(2));
