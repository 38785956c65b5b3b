/** The code a sandbox worker thread runs: answer each request from the parent. */
import { parentPort } from 'node:worker_threads';
import { handleRequest, sendReply, type SandboxRequest } from './sandbox-protocol.js';

const port = parentPort;
if (port) {
  port.on('message', (req: SandboxRequest) => {
    void handleRequest(req, (note) => port.postMessage(note)).then((reply) => sendReply(reply, (r) => port.postMessage(r)));
  });
}
