/**
 * A language server's pipe can close between a request's start and its write (the server is
 * killed mid-task). vscode-jsonrpc then re-throws the write error where no caller can catch it;
 * the bridge's writer must end it, leaving the request to the server's death or its timeout.
 */
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMessageConnection, StreamMessageReader } from 'vscode-jsonrpc/node.js';
import { silentLogger } from '@weft/engine';
import { ServerWriter } from '../src/servers/server-writer.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
beforeAll(() => void process.on('unhandledRejection', onUnhandled));
afterAll(() => void process.off('unhandledRejection', onUnhandled));

describe('writing to a language server whose pipe has closed', () => {
  it('raises no unhandled rejection: the request stays pending until the connection ends it, and a notification resolves', async () => {
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    stdin.destroy();
    const conn = createMessageConnection(new StreamMessageReader(stdout), new ServerWriter(stdin, silentLogger()));
    conn.listen();
    let outcome = 'pending';
    const request = conn.sendRequest('textDocument/diagnostic', {}).then(
      () => (outcome = 'answered'),
      (err: Error) => (outcome = `rejected: ${err.message}`),
    );
    await conn.sendNotification('textDocument/didOpen', {});
    // Two turns of the event loop: Node reports an unhandled rejection after the microtasks of the turn it happened in.
    for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
    expect(outcome).toBe('pending');
    conn.dispose();
    await request;
    expect(outcome).toMatch(/^rejected: .*disposed/);
  });
});
