/** `weft worker` bounds V8's young generation and its old generation's growth from its first line, unless told otherwise. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { heapGrowthSetByUser, youngGenerationSetByUser } from '../src/cli/worker-heap.js';

const moduleUrl = new URL('../src/cli/worker-heap.ts', import.meta.url).href;
const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A process that allocates as a busy worker does, over many event-loop turns, mostly garbage
 * with some survivors; prints its young generation's size in MB.
 */
function youngGenerationAfterLoad(argv: string[], nodeArgs: string[] = []): Promise<number> {
  const script = `
    import v8 from 'node:v8';
    const { boundWorkerHeap } = await import(${JSON.stringify(moduleUrl)});
    boundWorkerHeap(${JSON.stringify(['node', 'weft', ...argv])});
    const keep = [];
    for (let turn = 0; turn < 200; turn++) {
      for (let i = 0; i < 10000; i++) { const x = { a: i, b: [i, i + 1], c: 'x' + i }; if (i % 20 === 0) keep.push(x); }
      await new Promise((r) => setImmediate(r));
    }
    process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 2 ** 20));`;
  return printed(script, nodeArgs);
}

function printed(script: string, nodeArgs: string[]): Promise<number> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`exit ${code}: ${out}`)))));
}

/**
 * A process whose objects outlive a few scavenges and then die (a ring of 60,000 records, 2,000
 * replaced a turn), as a busy worker's spans and job records do; prints its heap's peak size in
 * MB. The young generation is kept small so that the old generation's growth is what differs.
 */
function heapPeakAfterLoad(argv: string[]): Promise<number> {
  const script = `
    import v8 from 'node:v8';
    const { boundWorkerHeap } = await import(${JSON.stringify(moduleUrl)});
    boundWorkerHeap(${JSON.stringify(['node', 'weft', ...argv, '--young-generation-mb', '0'])});
    const ring = new Array(60000).fill(null);
    let peak = 0;
    for (let turn = 0; turn < 250; turn++) {
      for (let i = 0; i < 2000; i++) ring[(turn * 2000 + i) % ring.length] = { a: new Array(20).fill(turn), s: 'x'.repeat(50) + i };
      if (turn % 10 === 0) peak = Math.max(peak, v8.getHeapStatistics().total_heap_size);
      await new Promise((r) => setImmediate(r));
    }
    process.stdout.write(String(peak / 2 ** 20));`;
  return printed(script, ['--max-semi-space-size=1']);
}

describe('worker heap bounds', () => {
  it('keeps a worker at 8 MB by default, where V8 alone grows past it; --young-generation-mb 0 leaves V8 its sizing', async () => {
    const [capped, custom, uncapped, otherCommand] = await Promise.all([
      youngGenerationAfterLoad(['worker']),
      youngGenerationAfterLoad(['worker', '--young-generation-mb=4']),
      youngGenerationAfterLoad(['worker', '--young-generation-mb', '0']),
      youngGenerationAfterLoad(['run', 'p.yaml']),
    ]);
    expect(capped).toBeLessThanOrEqual(8);
    expect(custom).toBeLessThanOrEqual(4);
    expect(uncapped).toBeGreaterThan(8);
    expect(otherCommand).toBeGreaterThan(8);
  }, 60_000);

  it("bounds the old generation's growth by default, where V8 alone lets it grow to several times its live size; 0 leaves V8 its choice", async () => {
    const [bounded, unbounded] = await Promise.all([heapPeakAfterLoad(['worker']), heapPeakAfterLoad(['worker', '--heap-growth-percent', '0'])]);
    expect(bounded).toBeLessThan(0.65 * unbounded);
  }, 60_000);

  it('leaves a young-generation size given on the command line or in NODE_OPTIONS alone', () => {
    expect(youngGenerationSetByUser(['--max-semi-space-size=16'], '')).toBe(true);
    expect(youngGenerationSetByUser([], '--inspect --max_semi_space_size=2')).toBe(true);
    expect(youngGenerationSetByUser(['--import', 'tsx'], '--max-old-space-size=512')).toBe(false);
    expect(heapGrowthSetByUser([], '--heap_growing_percent=10')).toBe(true);
    expect(heapGrowthSetByUser(['--max-semi-space-size=16'], '--max-old-space-size=512')).toBe(false);
  });
});
