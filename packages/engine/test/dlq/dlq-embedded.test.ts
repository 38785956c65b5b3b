/** Dead letters embedded: kept in memory, bounded, replayed as runs of their own, purged. */
import { describe, expect, it } from 'vitest';
import { createEngine, NonRetryableError } from '@weft/engine';
import { deadLetters } from '@weft/engine/dlq';

describe('dead letters embedded', () => {
  it('keeps a dead task with its attempts, replays it once fixed, and purges', async () => {
    await using engine = await createEngine({ config: { deadLetters: { maxEntries: 3, maxInputBytes: 64 } } });
    let fixed = false;
    engine.registerHandler('t.flaky', (input: { n: number }) => {
      if (!fixed) throw new Error(`flaky ${input.n}`);
      return input.n * 2;
    });
    engine.registerHandler('t.never', () => {
      throw new NonRetryableError('never');
    });
    const run = (task: string, input: unknown) => engine.run({ name: 'p', steps: [{ id: 's', task, input, retries: 1 }] }).catch(() => undefined);
    await run('t.flaky', { n: 21 });
    const dlq = deadLetters(engine);
    const [entry] = await dlq.list();
    expect(entry).toMatchObject({ pipeline: 'p', stepId: 's', taskType: 't.flaky', input: { n: 21 }, error: { code: 'WEFT_TASK_FAILED' } });
    expect(entry!.attempts.map((a) => [a.attempt, a.workerId])).toEqual([
      [1, 'local'],
      [2, 'local'],
    ]);
    expect(entry!.error.stack).toContain('dlq-embedded.test.ts');
    // Not retryable: one attempt. A large input is not kept, only its size.
    await run('t.never', { blob: 'x'.repeat(200) });
    const never = (await dlq.list({ type: 't.never' }))[0]!;
    expect(never.attempts).toHaveLength(1);
    expect(never.input).toBeUndefined();
    expect(never.inputTruncated?.bytes).toBeGreaterThan(200);
    await expect(dlq.replay([never.id])).rejects.toMatchObject({ code: 'WEFT_DLQ_UNREPLAYABLE' });

    // A replay that fails again keeps one entry, with the new attempts.
    expect(await dlq.replay([entry!.id])).toMatchObject([{ mode: 'new-run', status: 'failed' }]);
    const again = await dlq.get(entry!.id);
    // A replay run of its own makes one attempt (plus its handler's retries): the step's own retries are not kept.
    expect(again.attempts).toHaveLength(3);
    expect(again.replays).toBe(1);
    expect(await dlq.list({ type: 't.flaky' })).toHaveLength(1);

    fixed = true;
    const [ok] = await dlq.replay([entry!.id]);
    expect(ok).toMatchObject({ mode: 'new-run', status: 'succeeded' });
    await expect(dlq.get(entry!.id)).rejects.toMatchObject({ code: 'WEFT_DLQ_NOT_FOUND' });

    // Retention: at most three entries, the oldest go first.
    for (const n of [1, 2, 3]) await run('t.never', { n });
    expect((await dlq.list()).map((e) => e.input)).toEqual([{ n: 3 }, { n: 2 }, { n: 1 }]);
    expect(await dlq.purge({ type: 't.never' })).toBe(3);
    expect(await dlq.list()).toEqual([]);
  });
});
