#!/usr/bin/env node
/** Entry point of the `weft` binary: typed errors print their code and message, nothing else. */
import 'reflect-metadata';
import { WeftError } from '../errors.js';
import { exitIfTelemetryStuck } from './cli-telemetry.js';
import { boundWorkerHeap } from './worker-heap.js';

// Before the commands load: loading alone would grow a worker's young generation past its cap.
boundWorkerHeap();
const { buildProgram } = await import('./program.js');

buildProgram()
  .parseAsync(process.argv)
  .then(exitIfTelemetryStuck)
  .catch((err: unknown) => {
    if (err instanceof WeftError) process.stderr.write(`${err.code}: ${err.message}\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = process.exitCode || 2;
  });
