// The isolated no-op of bench:queue, loaded by its sandbox threads and processes.
export function noop() {
  return null;
}
