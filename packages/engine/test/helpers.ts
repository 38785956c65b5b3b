/** Test helpers: an engine with an in-memory span exporter (the real SDK, not a fake tracer). */
import { expect } from 'vitest';
import { PipelineRunError, WeftError } from '@weft/engine';

export { tracedEngine, parentId, type TracedEngine } from '../../../test-support/traced-engine.js';

/** The error `p` rejects with, asserted to be an instance of `type`. */
export async function rejectsWith<E extends Error>(p: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  return err as E;
}

/** A run that fails: its PipelineRunError (with the run's result). */
export const failure = (p: Promise<unknown>): Promise<PipelineRunError> => rejectsWith(p, PipelineRunError);

/** A call that fails with a typed Weft error. */
export const rejection = (p: Promise<unknown>): Promise<WeftError> => rejectsWith(p, WeftError);
