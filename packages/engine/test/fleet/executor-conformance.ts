/**
 * One behaviour suite every executor runs (embedded and fleet): a pipeline gives the same
 * outputs, errors, retries, timeouts and span tree whichever runtime executes it.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Engine, PipelineDefinition } from '@weft/engine';
import { SpanNames } from '@weft/engine/tracing';
import { failure } from '../helpers.js';

export interface ConformanceHarness {
  readonly engine: Engine;
  spans(name?: string): ReadableSpan[];
  reset(): void;
  close(): Promise<void>;
}

const arithmetic: PipelineDefinition = {
  name: 'arithmetic',
  steps: [
    { id: 'sum', task: 't.add', input: { a: { $ref: 'input.a' }, b: { $ref: 'input.b' } } },
    { id: 'twice', task: 't.double', dependsOn: ['sum'], input: { n: { $ref: 'steps.sum.output' } } },
    { id: 'each', task: 't.double', dependsOn: ['sum'], forEach: { $ref: 'input.items' }, input: { n: { $ref: 'item' } } },
  ],
};

export function executorConformance(kind: 'embedded' | 'fleet', make: () => Promise<ConformanceHarness>): void {
  describe(`executor conformance: ${kind}`, () => {
    let h: ConformanceHarness;
    beforeAll(async () => {
      h = await make();
    });
    afterAll(async () => {
      await h?.close();
    });
    beforeEach(() => h.reset());

    it('passes outputs along the DAG and fans out forEach items', async () => {
      const result = await h.engine.run(arithmetic, { a: 2, b: 3, items: [1, 2, 3] });
      expect(result.status).toBe('succeeded');
      expect(result.outputs).toEqual({ sum: 5, twice: 10, each: [2, 4, 6] });
      expect(result.output).toEqual({ twice: 10, each: [2, 4, 6] });
    });

    it('fails a step whose handler refuses, with its message, and cancels dependents', async () => {
      const err = await failure(
        h.engine.run({
          name: 'bad',
          steps: [
            { id: 'boom', task: 't.fail', input: { message: 'disk full' } },
            { id: 'after', task: 't.add', dependsOn: ['boom'], input: { a: 1, b: 1 } },
          ],
        }),
      );
      expect(err.result.steps['boom']!.status).toBe('failed');
      expect(err.result.steps['boom']!.error?.message).toContain('disk full');
      expect(err.result.steps['boom']!.attempts).toBe(1);
      expect(err.result.steps['after']!.status).toBe('cancelled');
    });

    it('retries a failing task and succeeds on a later attempt', async () => {
      const result = await h.engine.run({
        name: 'flaky',
        steps: [{ id: 'f', task: 't.flaky', input: { failures: 2 }, retries: { attempts: 3, backoff: { type: 'fixed', delayMs: 10 } } }],
      });
      expect(result.outputs['f']).toEqual({ attempts: 3 });
      expect(result.steps['f']!.attempts).toBe(3);
    });

    it('times a slow task out with WEFT_TASK_TIMEOUT', async () => {
      const err = await failure(h.engine.run({ name: 'slow', steps: [{ id: 's', task: 't.slow', input: { ms: 5000, tag: 'timeout' }, timeoutMs: 150 }] }));
      expect(err.result.steps['s']!.error?.code).toBe('WEFT_TASK_TIMEOUT');
    });

    it("makes each execution span a child of its task's route decision span, in its step, in the run trace", async () => {
      const result = await h.engine.run(arithmetic, { a: 1, b: 1, items: [5] });
      // Worker spans may end a moment after the reply; give the exporter that moment.
      for (let i = 0; i < 50 && h.spans(SpanNames.TASK_EXECUTE).length < 3; i++) await new Promise((r) => setTimeout(r, 20));
      const steps = h.spans(SpanNames.STEP);
      const routes = h.spans(SpanNames.DECISION_ROUTE);
      const executions = h.spans(SpanNames.TASK_EXECUTE);
      expect(executions).toHaveLength(3);
      for (const e of executions) {
        expect(e.spanContext().traceId).toBe(result.traceId);
        const route = routes.find((r) => r.spanContext().spanId === e.parentSpanContext?.spanId);
        expect(route?.attributes['weft.task.id']).toBe(e.attributes['weft.task.id']);
        const step = steps.find((s) => s.spanContext().spanId === route?.parentSpanContext?.spanId);
        expect(step?.attributes['weft.step.id']).toBe(e.attributes['weft.step.id']);
      }
    });
  });
}
