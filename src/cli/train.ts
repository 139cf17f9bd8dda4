// `parley train <stage>`: the command group for training. Each stage's sub-command lives in its own
// file in src/cli/train/ exporting `register(train: Command)`; this file discovers them, so adding a
// stage never edits a shared list. Stage files stay light at import time like every CLI file.
import type { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const stagesDir = join(dirname(fileURLToPath(import.meta.url)), 'train');

// Loaded at import time (main.ts awaits the import) because main.ts calls register() synchronously.
const stages: { file: string; register: (train: Command) => void }[] = [];
for (const file of readdirSync(stagesDir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts')).sort()) {
  const mod = await import(pathToFileURL(join(stagesDir, file)).href);
  if (typeof mod.register !== 'function') throw new Error(`src/cli/train/${file} must export register(train)`);
  stages.push({ file, register: mod.register });
}

export function register(program: Command): void {
  const train = program.command('train').description('train Parley models (one sub-command per stage)');
  for (const s of stages) s.register(train);
}
