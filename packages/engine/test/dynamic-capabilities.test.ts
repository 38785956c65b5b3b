import { describe, expect, it } from 'vitest';
import { createEngine, WeftError } from '@weft/engine';

describe('capabilities from the task input', () => {
  it('routes each item to a worker offering what its input needs', async () => {
    const engine = await createEngine({
      config: {
        workers: [
          { id: 'py', capabilities: ['lang:python'] },
          { id: 'ts', capabilities: ['lang:typescript'] },
        ],
      },
    });
    engine.registerHandler('check', (i: { file: string }, ctx) => `${i.file}@${ctx.workerId}`, {
      capabilities: (i) => [i.file.endsWith('.py') ? 'lang:python' : 'lang:typescript'],
    });
    const res = await engine.run(
      { name: 'langs', steps: [{ id: 'c', task: 'check', forEach: { $ref: 'input.files' }, input: { file: { $ref: 'item' } } }] },
      { files: ['a.py', 'b.ts', 'c.py'] },
    );
    expect(res.outputs['c']).toEqual(['a.py@py', 'b.ts@ts', 'c.py@py']);
    await engine.close();
  });

  it('a plugin error with its own code keeps that code in the step report', async () => {
    const engine = await createEngine();
    engine.registerHandler('fail', () => {
      throw new WeftError('ACME_QUOTA_EXCEEDED', 'quota exceeded; raise it in the console', { retryable: false });
    });
    const err = await engine.run({ name: 'p', steps: [{ id: 'f', task: 'fail', retries: 3 }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ failures: [{ stepId: 'f', code: 'ACME_QUOTA_EXCEEDED', message: 'quota exceeded; raise it in the console' }] });
    await engine.close();
  });
});
