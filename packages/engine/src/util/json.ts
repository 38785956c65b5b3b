/** JSON assembled from parts already serialised, so that a large value is serialised only once. */

/**
 * Adds `"output": <outputJson>` to a serialised object. An undefined output adds no field, as
 * JSON.stringify leaves out undefined values.
 */
export function withOutputJson(objectJson: string, outputJson: string | undefined): string {
  if (outputJson === undefined) return objectJson;
  const head = objectJson.slice(0, -1);
  return `${head}${head === '{' ? '' : ','}"output":${outputJson}}`;
}
