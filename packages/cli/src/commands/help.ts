import { MCP_SERVER_NAMES } from '@stockpulse/core';

export const HELP: Record<string, string> = {
  main: `stockpulse — run the StockPulse agent mesh

Usage: stockpulse <command> [options]

Commands:
  start                 Start every service (auth, data servers, registry, agents, gateway + web app),
                        wait until all are healthy, print the URL; Ctrl-C stops them in order.
  mcp <name> --stdio    Run one MCP server over stdio for a desktop client (Claude Desktop).
                        <name>: ${MCP_SERVER_NAMES.join(', ')}
  seed                  Create and seed the embedded databases (demo user, portfolio, market
                        history), then stop. Idempotent: safe to run again.
  help [command]        Show this help, or a command's details.

Run \`stockpulse <command> --help\` for a command's options.
`,
  start: `stockpulse start — run the whole mesh under one supervisor

Usage: stockpulse start [--json] [--no-color] [--only <service,...>]

Starts auth first, then the data servers (postgres, timescale, redis, qdrant, graphiti) and the
registry together, then portfolio-manager, user-assistant and the gateway; each starts once what it
depends on answers /healthz. Builds web/dist first when it is missing or older than web/src.
Creates <data dir>/service-secret (mode 0600) unless STOCKPULSE_SERVICE_SECRET is set.
A service that crashes is restarted (0.5 s backoff doubling to 30 s). Ctrl-C, SIGTERM or SIGHUP
stops everything in reverse order (SIGTERM, SIGKILL after 10 s); a second Ctrl-C exits at once.

Options:
  --json                Print log lines as raw NDJSON (also: LOG_FORMAT=json).
  --no-color            No ANSI colours (also: NO_COLOR=1).
  --only <names>        Start only these services and what they depend on (comma-separated).

Environment: every variable of packages/core/src/config.ts, e.g. STOCKPULSE_DATA_DIR (default
./.stockpulse), STOCKPULSE_HOST (127.0.0.1; demo mode refuses non-loopback hosts), GATEWAY_PORT,
MCP_*_PORT, DATABASE_URL / REDIS_URL / QDRANT_URL for real servers, LOG_LEVEL.
`,
  mcp: `stockpulse mcp — one MCP server over stdio

Usage: stockpulse mcp <name> --stdio

<name>: ${MCP_SERVER_NAMES.join(', ')}
stdin/stdout carry the MCP protocol; logs go to stderr. The server acts for the local user
(STOCKPULSE_STDIO_USER_ID, default: the demo user) and uses the same data dir as \`start\`.
The exit code is the server's.

Claude Desktop (claude_desktop_config.json):
  { "mcpServers": { "stockpulse-market": {
      "command": "npx", "args": ["stockpulse", "mcp", "timescale", "--stdio"],
      "cwd": "/path/to/stockpulse" } } }
`,
  seed: `stockpulse seed — create and seed the databases, then exit

Usage: stockpulse seed

Starts auth, postgres, timescale, qdrant and graphiti (their start migrates the schema and seeds
the demo user, demo portfolio and simulated market history), waits until they are healthy, prints
what each reports, and stops them. Seeding is idempotent: existing data is kept and only what is
missing is added, so running it twice (or before \`start\`) is harmless. Do not run it while
\`stockpulse start\` is running (the ports and the embedded databases are in use).
`,
  help: `stockpulse help — show help

Usage: stockpulse help [command]
`,
};

export function helpCommand(args: string[]): number {
  const topic = args[0];
  if (topic && !(topic in HELP)) {
    process.stderr.write(`Unknown command "${topic}".\n\n${HELP.main}`);
    return 2;
  }
  process.stdout.write(HELP[topic ?? 'main']!);
  return 0;
}
