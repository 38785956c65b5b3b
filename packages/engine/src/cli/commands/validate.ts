/** `weft validate <pipeline>`: checks a pipeline file against the loaded plugins without running it. */
import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { loadPipelineFile } from '../../pipeline/load-pipeline-file.js';
import { createLogger } from '../../logging/logger.js';
import { loadConfigFile, withPlugins } from '../config-file.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Validate a pipeline file against the configured plugins')
    .argument('<pipeline>', 'pipeline file')
    .option('-c, --config <file>', 'engine config (default ./weft.config.yaml|yml|json)')
    .option('-p, --plugins <names>', 'comma-separated plugin packages to load')
    .action(async (file: string, opts: { config?: string; plugins?: string }) => {
      const { config, baseDir } = await loadConfigFile(opts.config);
      const engine = await createEngine({ config: withPlugins(config, opts.plugins), baseDir, logger: createLogger() });
      try {
        const p = await loadPipelineFile(file, { taskTypes: engine.handlers.types() });
        process.stdout.write(`${file}: pipeline "${p.name}" is valid (${p.steps.length} steps)\n`);
      } finally {
        await engine.close();
      }
    });
}
