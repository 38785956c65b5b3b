/**
 * One measurement of bench:validate, in a process of its own so its peak memory is its own:
 * `validate <file>` validates a pipeline file as `weft validate` does; `run <steps>` runs a
 * chain of no-op tasks embedded. Prints one JSON line: { ms, rssMb }. Plain JavaScript on the
 * built package, as `weft validate` runs: no TypeScript loader in the measured process.
 */
import 'reflect-metadata';
import { createEngine } from '@weft/engine';

const [mode, arg] = process.argv.slice(2);
const engine = await createEngine();
engine.registerHandler('noop', () => null);
let ms;
if (mode === 'validate') {
  const started = performance.now();
  const p = await engine.validate(arg);
  ms = performance.now() - started;
  if (p.steps.length < 1) throw new Error('nothing validated');
} else {
  const steps = Number(arg);
  const chain = {
    name: 'chain',
    steps: Array.from({ length: steps }, (_, i) => ({ id: `s${i}`, task: 'noop', ...(i > 0 ? { dependsOn: [`s${i - 1}`] } : {}) })),
  };
  const started = performance.now();
  const result = await engine.run(chain);
  ms = performance.now() - started;
  if (result.status !== 'succeeded' || Object.keys(result.steps).length !== steps) throw new Error(`run ended ${result.status}`);
}
await engine.close();
// maxRSS is in kilobytes: the peak resident memory of this whole process.
process.stdout.write(`${JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
