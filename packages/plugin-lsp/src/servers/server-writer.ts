/**
 * The JSON-RPC writer to a language server's stdin. A write fails only when the server's pipe is
 * gone, that is when the server is exiting; its exit handler reports that, with the exit code and
 * the tail of its stderr. vscode-jsonrpc 8 re-throws a failed request write from inside a promise
 * executor, where no caller can catch it: an unhandled rejection, which ends a process run with
 * Node's default `--unhandled-rejections=throw`. So a failed write ends here, logged at debug
 * level; a request it carried is ended by the server's death, its timeout or its signal, as for
 * a server that dies mid-request.
 */
import type { Writable } from 'node:stream';
import type { Logger } from '@weft/engine';
import { StreamMessageWriter, type Message } from 'vscode-jsonrpc/node.js';
import { errorMessage } from '../errors.js';

export class ServerWriter extends StreamMessageWriter {
  constructor(
    stdin: Writable,
    private readonly logger: Logger,
  ) {
    super(stdin);
  }

  override async write(msg: Message): Promise<void> {
    try {
      await super.write(msg);
    } catch (err) {
      this.logger.debug({ err: errorMessage(err) }, 'could not write to the language server; it is exiting');
    }
  }
}
