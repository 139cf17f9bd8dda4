// `parley moderate --text "..."` (or --file, or stdin with --file -): prints the OpenAI-shaped
// moderation response as JSON. With --policy it adds Parley's warn/block decision per input.
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('moderate')
    .description('classify text with the content filter and print the OpenAI /v1/moderations JSON')
    .option('--text <text...>', 'text to classify (repeat for several inputs)')
    .option('--file <path>', 'classify the contents of a UTF-8 file ("-" for stdin)')
    .option('--model-dir <dir>', 'moderation model directory (default: PARLEY_MODERATION_MODEL or models/moderation)')
    .option('--decide', 'also print the warn/block decision under PARLEY_MODERATION_POLICY (or the defaults)')
    .action(async (opts: { text?: string[]; file?: string; modelDir?: string; decide?: boolean }) => {
      const { readFileSync } = await import('node:fs');
      const { UserError } = await import('../util/errors.ts');
      const m = await import('../moderation/index.ts');
      const inputs: string[] = [...(opts.text ?? [])];
      if (opts.file) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(opts.file === '-' ? 0 : opts.file);
        } catch (e) {
          throw new UserError(`cannot read ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
        inputs.push(m.decodeUtf8(bytes, opts.file === '-' ? 'stdin' : opts.file));
      }
      if (inputs.length === 0) throw new UserError('give --text "..." or --file PATH');
      const moderator = m.createModerator({ modelDir: opts.modelDir });
      const results = moderator.moderate(inputs);
      const body: Record<string, unknown> = { ...m.moderationResponse(moderator.model, results) };
      if (opts.decide) {
        const policy = m.loadPolicy();
        body.parley_decisions = results.map((r) => m.decide(r, policy));
      }
      console.log(JSON.stringify(body, null, 2));
    });
}
