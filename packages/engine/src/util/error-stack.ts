/** Where an error began: the stack of the innermost cause (a handler's throw, not the wrapper around it). */
export function originStack(err: unknown): string | undefined {
  let stack: string | undefined;
  for (let e = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) if (e.stack) stack = e.stack;
  return stack;
}
