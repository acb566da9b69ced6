// `penguin serve [--host] [--port] [--cors ORIGIN]`: the HTTP API (docs/api.md) on this workspace,
// hosting its workflows until Ctrl-C or TERM, which hand running workflows back at once. Under --json
// it prints one document with the bound address once it listens, and nothing else on stdout.
import type { Command } from 'commander';
import { TOKEN_ENV } from '../../api/auth.js';
import type { ServeStarted } from '../../contracts/api.js';
import { UsageError } from '../../errors.js';
import { action, type CliContext } from '../context.js';

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65_535) throw new UsageError(`--port ${text}: use a port number 0-65535`);
  return port;
}

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description('serve the HTTP API and host workflows until Ctrl-C (see docs/api.md)')
    .option('--host <address>', `address to bind; other than loopback needs ${TOKEN_ENV}`, '127.0.0.1')
    .option('--port <port>', 'port to listen on (0: any free port)', '8000')
    .option('--cors <origin>', 'allow browsers on this origin (no CORS otherwise)')
    .option(
      '--log-level <level>',
      'request log level on stderr (default: info when piped, warn on a terminal)',
    )
    .action(
      action(async (command: Command) => {
        const out = ctx.output(command);
        const opts = command.opts<{ host: string; port: string; cors?: string; logLevel?: string }>();
        const port = parsePort(opts.port);
        const signal = ctx.interruptSignal();
        const ws = ctx.workspace(command);
        const token = ctx.io.env[TOKEN_ENV];
        // Loaded on use: the server's libraries stay out of every other command's start-up.
        const { createServer } = await import('../../api/server.js');
        const server = await createServer(ws, {
          host: opts.host,
          port,
          ...(token === undefined || token === '' ? {} : { token }),
          ...(opts.cors === undefined ? {} : { cors: opts.cors }),
          // Quiet on a terminal, structured (pino JSON) request logs when piped to a collector.
          logLevel: opts.logLevel ?? (process.stderr.isTTY ? 'warn' : 'info'),
        });
        try {
          const bound = await server.listen();
          const started: ServeStarted = {
            ...bound,
            auth: token !== undefined && token !== '',
            workspace: ws.paths.root,
          };
          out.result(started, () => `serving ${bound.url}/api/v1 for ${ws.paths.root} (Ctrl-C to stop)`);
          if (!signal.aborted)
            await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
        } finally {
          await server.close();
        }
      }),
    );
}
