// The `parley` command. Each sub-command lives in its own file in this folder and exports
// `register(program)`; this file discovers them, so adding a command never edits a shared list.
// Sub-command files must stay light at import time (heavy modules are imported inside actions)
// so that `parley --help` and small commands start quickly.
import { Command, CommanderError } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const program = new Command('parley')
  .description('Parley: a self-hosted ChatGPT that trains and serves its own models on CPU')
  .showHelpAfterError()
  .exitOverride();

const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'main.ts')
  .sort();
for (const f of files) {
  const mod = await import(pathToFileURL(join(here, f)).href);
  if (typeof mod.register !== 'function') throw new Error(`src/cli/${f} must export register(program)`);
  mod.register(program);
}

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  // Errors meant for the user (bad flags, bad files) are printed without a stack trace.
  const e = err as Error & { userFacing?: boolean };
  if (e && e.userFacing) {
    console.error(`parley: ${e.message}`);
    process.exit(2);
  }
  throw err;
}
