/** The few vector operations every index and embedder shares; vectors are unit length, so cosine is a dot product. */

export function dot(a: Float32Array, b: Float32Array): number {
  // Four accumulators: independent additions that the CPU can overlap.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length;
  const end = n - (n % 4);
  let i = 0;
  for (; i < end; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + s2 + s3;
}

/** Scales `v` to unit length in place; a zero vector stays zero. */
export function normalise(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  if (s > 0) {
    const inv = 1 / Math.sqrt(s);
    for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  }
  return v;
}

/** Int8 quantisation for the shared feed: a quarter of the bytes, cosine error well under 0.01. */
export function quantise(v: Float32Array): Buffer {
  let max = 0;
  for (let i = 0; i < v.length; i++) max = Math.max(max, Math.abs(v[i]!));
  const scale = max > 0 ? 127 / max : 0;
  const out = Buffer.alloc(v.length);
  for (let i = 0; i < v.length; i++) out.writeInt8(Math.round(v[i]! * scale), i);
  return out;
}

export function dequantise(buf: Buffer): Float32Array {
  const v = new Float32Array(buf.length);
  for (let i = 0; i < buf.length; i++) v[i] = buf.readInt8(i);
  return normalise(v);
}
