/** Queue names: BullMQ-safe, one name per capability, and readable again in `weft status`. */
import { describe, expect, it } from 'vitest';
import { FleetKeys, queueLabel } from '../../src/fleet/fleet-keys.js';

describe('fleet queue names', () => {
  const keys = new FleetKeys();

  it('encodes what BullMQ refuses and reads back as the capability', () => {
    expect(keys.poolQueue('lang:python')).toBe('pool.lang%3apython');
    expect(keys.poolQueue(undefined)).toBe('pool.any');
    for (const capability of ['lang:python', 'gpu', 'zone:eu-west/1', '100%', 'région:é', 'ā0', 'emoji:🚀']) {
      const name = keys.poolQueue(capability);
      expect(name).toMatch(/^pool\.[A-Za-z0-9._%-]+$/);
      expect(queueLabel(name)).toBe(`pool.${capability}`);
    }
  });

  it('never gives two capabilities the same queue', () => {
    // A character above U+00FF once encoded as more than two hex digits, which another capability could spell.
    expect(keys.poolQueue('ā')).not.toBe(keys.poolQueue('\u00101'));
    expect(keys.poolQueue('%3a')).not.toBe(keys.poolQueue(':'));
  });

  it('leaves a name that is not percent-encoded as it is', () => {
    expect(queueLabel('w.worker-1')).toBe('w.worker-1');
    expect(queueLabel('pool.bad%zz')).toBe('pool.bad%zz');
  });
});
