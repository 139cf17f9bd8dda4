// `parley serve` (what `npm start` runs): the web app, /v1 (OpenAI-compatible) and /api.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('serve')
    .description('serve the web app and the OpenAI-compatible API (PORT, PARLEY_DATA, DATABASE_URL; see src/server/README.md)')
    .option('--port <n>', 'port to listen on (default PORT or 3000)')
    .option('--host <addr>', 'address to bind (default PARLEY_HOST or 0.0.0.0)')
    .action(async (o: { port?: string; host?: string }) => {
      const { UserError } = await import('../util/errors.ts');
      const port = o.port === undefined ? undefined : Number(o.port);
      if (port !== undefined && !(Number.isInteger(port) && port >= 0 && port < 65536)) throw new UserError(`--port ${o.port} is not a port number`);
      const { startServer } = await import('../server/start.ts');
      await startServer({ ...(port !== undefined ? { port } : {}), ...(o.host ? { host: o.host } : {}) });
    });
}
