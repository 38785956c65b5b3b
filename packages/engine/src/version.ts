import { createRequire } from 'node:module';

// Read from package.json so the plugin range check always uses the published version.
const pkg = createRequire(import.meta.url)('../package.json') as { version: string };

export const ENGINE_VERSION: string = pkg.version;
