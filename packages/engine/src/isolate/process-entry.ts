/** The code a sandbox child process runs: answer each request from the parent over IPC. */
import { handleRequest, sendReply, type SandboxRequest } from './sandbox-protocol.js';

if (process.send) {
  process.on('message', (req: SandboxRequest) => {
    void handleRequest(req, (note) => void process.send!(note)).then((reply) => sendReply(reply, (r) => void process.send!(r)));
  });
  // The parent went away: nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
}
