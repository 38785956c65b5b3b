// Types for the plain-JavaScript example, so that its test is type-checked and linted.
import type { Engine } from '@weft/engine';

export function codeCheckWorkers(): unknown[];
export function codeCheckEngine(root: string, options?: Record<string, unknown>): Promise<Engine>;
export function runCheck(engine: Engine, options?: Record<string, unknown>): Promise<unknown>;
export function checkRepository(dir: string, options?: Record<string, unknown>): Promise<unknown>;
