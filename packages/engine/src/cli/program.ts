/** The `weft` command line, built with commander. */
import { Command } from 'commander';
import { ENGINE_VERSION } from '../version.js';
import { registerRunCommand } from './commands/run.js';
import { registerValidateCommand } from './commands/validate.js';
import { registerStatusCommand } from './commands/status.js';
import { registerWorkerCommand } from './commands/worker.js';
import { registerResumeCommand } from './commands/resume.js';
import { registerCancelCommand } from './commands/cancel.js';
import { registerDashboardCommand } from './commands/dashboard.js';
import { registerDlqCommand } from './commands/dlq.js';
import { registerScheduleCommand } from './commands/schedule.js';

export function buildProgram(): Command {
  const program = new Command('weft').description('Weft: a plugin-based workflow engine').version(ENGINE_VERSION);
  registerRunCommand(program);
  registerValidateCommand(program);
  registerWorkerCommand(program);
  registerStatusCommand(program);
  registerResumeCommand(program);
  registerCancelCommand(program);
  registerDashboardCommand(program);
  registerDlqCommand(program);
  registerScheduleCommand(program);
  return program;
}
