/**
 * Weft as a language-server client: what it announces in `initialize`, and its answers to the
 * requests servers send their client (anything unknown gets MethodNotFound).
 */
import { basename } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from '@weft/engine';
import { ErrorCodes, ResponseError } from 'vscode-jsonrpc/node.js';
import type { ConfigurationParams, InitializeParams, RegistrationParams } from 'vscode-languageserver-protocol';
import type { ServerSpec } from './server-spec.js';

/** `processId` is null when the server runs in its own pid namespace (it could not watch ours). */
export function initializeParams(spec: ServerSpec, root: string, ownPidNamespace: boolean): InitializeParams {
  const rootUri = pathToFileURL(root).href;
  return {
    processId: ownPidNamespace ? null : process.pid,
    clientInfo: { name: 'weft', version: '0.1.0' },
    rootUri,
    rootPath: root,
    workspaceFolders: [{ uri: rootUri, name: basename(root) }],
    capabilities: {
      workspace: { configuration: true, workspaceFolders: true },
      window: { workDoneProgress: true },
      textDocument: {
        synchronization: { didSave: false, willSave: false, willSaveWaitUntil: false },
        publishDiagnostics: { versionSupport: true, relatedInformation: false },
        // Pull diagnostics answer when the check is done, so no quiet period has to be guessed.
        diagnostic: { dynamicRegistration: true, relatedDocumentSupport: false },
        hover: { contentFormat: ['markdown', 'plaintext'] },
        definition: { linkSupport: false },
        references: {},
        documentSymbol: { hierarchicalDocumentSymbolSupport: true },
      },
    },
    ...(spec.initializationOptions === undefined ? {} : { initializationOptions: spec.initializationOptions }),
  };
}

export interface ClientSide {
  readonly spec: ServerSpec;
  readonly root: string;
  readonly logger: Logger;
  /** The server registered `textDocument/diagnostic`: it answers pulls from now on. */
  readonly onPullRegistered: () => void;
}

/** The answer to one request a server sent its client. */
export function answerServerRequest(method: string, params: unknown, client: ClientSide): unknown {
  switch (method) {
    case 'workspace/configuration':
      return (params as ConfigurationParams).items.map((item) => settingsSection(client.spec.settings, item.section));
    case 'workspace/workspaceFolders':
      return [{ uri: pathToFileURL(client.root).href, name: basename(client.root) }];
    case 'client/registerCapability':
      if ((params as RegistrationParams).registrations.some((r) => r.method === 'textDocument/diagnostic')) client.onPullRegistered();
      return null;
    case 'client/unregisterCapability':
    case 'window/workDoneProgress/create':
    case 'window/showMessageRequest':
    case 'window/showDocument':
      return null;
    case 'workspace/applyEdit':
      return { applied: false, failureReason: 'Weft does not apply edits.' };
    case 'workspace/diagnostic/refresh':
    case 'workspace/semanticTokens/refresh':
    case 'workspace/inlayHint/refresh':
    case 'workspace/inlineValue/refresh':
    case 'workspace/codeLens/refresh':
    case 'workspace/foldingRange/refresh':
      // Nothing is cached on this side, so there is nothing to refresh.
      return null;
    default:
      client.logger.debug({ method }, 'language server sent a request Weft does not handle');
      return new ResponseError(ErrorCodes.MethodNotFound, `Weft does not handle ${method}`);
  }
}

/** `python.analysis` → settings.python.analysis (or a flat `python.analysis` key); `{}` when absent. */
function settingsSection(settings: Readonly<Record<string, unknown>>, section: string | undefined): unknown {
  if (section === undefined || section === '') return settings;
  if (section in settings) return settings[section];
  let cur: unknown = settings;
  for (const part of section.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(part in cur)) return {};
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur ?? {};
}
