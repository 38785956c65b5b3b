/** `weft validate <pipeline>`: checks a pipeline file against the loaded plugins without running it. */
import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { cliLogger } from '../cli-logger.js';
import { assertSomethingLoaded, loadConfigFile, withPlugins } from '../config-file.js';

export function registerValidateCommand(program: Command): void {
  program
    .command('validate')
    .description('Validate a pipeline file against the configured plugins')
    .argument('<pipeline>', 'pipeline file')
    .option('-c, --config <file>', 'engine config (default ./weft.config.yaml|yml|json)')
    .option('-p, --plugins <names>', 'comma-separated plugin packages to load')
    .action(async (file: string, opts: { config?: string; plugins?: string }) => {
      const loaded = await loadConfigFile(opts.config);
      const engine = await createEngine({ config: withPlugins(loaded.config, opts.plugins), baseDir: loaded.baseDir, logger: cliLogger() });
      try {
        assertSomethingLoaded(loaded, engine.handlers.types());
        // The engine's own check: task types, strategy names (the config's routing.strategy too) and limits.
        const p = await engine.validate(file);
        process.stdout.write(`${file}: pipeline "${p.name}" is valid (${p.steps.length} steps)\n`);
      } finally {
        await engine.close();
      }
    });
}
