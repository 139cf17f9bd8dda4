// `parley export sft|rankings|pairs|moderation-reports [--out FILE]`: training datasets from the store,
// as JSONL in the formats of DESIGN.md (moderation-reports: the lines `parley train moderation --reports` reads); `parley export gguf` (a model for llama.cpp/Ollama) is added by the providers.
import type { Command } from 'commander';
import type { DatasetKind } from '../store/datasets.ts';
import { registerGgufExport } from '../providers/gguf-export-command.ts';

const KINDS: Record<string, string> = {
  sft: 'supervised fine-tuning chats {"messages":[...]} from demonstrations and thumbs-up replies',
  rankings: 'ranked completions {"prompt","completions","ranking"} from trainer rankings',
  pairs: 'preference pairs {"prompt","chosen","rejected"} from rankings and up/down sibling replies',
  'moderation-reports': 'confirmed content-filter reports {"text","kind","categories","status"} for `parley train moderation --reports`',
};

export function register(program: Command): void {
  const exportCommand = program.command('export').description('export training datasets from the store, or a model as GGUF');
  for (const [kind, what] of Object.entries(KINDS)) {
    exportCommand
      .command(kind)
      .description(`write ${what} (store: DATABASE_URL or PARLEY_DATA/parley.db)`)
      .option('--out <file>', 'file to write (default: standard output)')
      .action(async (o: { out?: string }) => {
        const { exportToFile } = await import('../store/export-file.ts');
        const n = await exportToFile(kind as DatasetKind, o.out);
        if (o.out) console.error(`wrote ${n} ${kind} rows to ${o.out}`);
      });
  }
  registerGgufExport(exportCommand);
}
