import { HELP, helpCommand } from './commands/help.js';
import { mcpCommand } from './commands/mcp.js';
import { seedCommand } from './commands/seed.js';
import { startCommand } from './commands/start.js';

const COMMANDS: Record<string, (args: string[]) => Promise<number> | number> = {
  start: startCommand,
  mcp: mcpCommand,
  seed: seedCommand,
  help: helpCommand,
};

const [command, ...args] = process.argv.slice(2);

async function main(): Promise<number> {
  if (command === undefined || command === '--help' || command === '-h') return helpCommand([]);
  const run = COMMANDS[command];
  if (!run) {
    process.stderr.write(`Unknown command "${command}".\n\n${HELP.main}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) return helpCommand([command]);
  return run(args);
}

let code: number;
try {
  code = await main();
} catch (err) {
  process.stderr.write(`stockpulse ${command}: ${(err as Error).message}\n`);
  code = 1;
}
// Exit now: idle keep-alive sockets of the health checks must not hold the process open.
process.exit(code);
