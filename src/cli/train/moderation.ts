// `parley train moderation`: trains the content filter from the generated corpus (plus confirmed
// reports), prints held-out precision/recall per category, and writes the model with report.json
// and report.md. The same seed and inputs give byte-identical weights. The neural verifier of the
// cascade (src/moderation/cascade.ts) is trained after it and saved in OUT/verifier with --verifier.
import type { Command } from 'commander';

export function register(train: Command): void {
  train
    .command('moderation')
    .description('train the moderation classifier and report held-out precision/recall per category')
    .option('--out <dir>', 'model directory to write', 'models/moderation')
    .option('--seed <n>', 'random seed (corpus, shuffles, dropout)', '1')
    .option('--epochs <n>', 'passes over the training data', '10')
    .option('--split-vocabulary', 'also hold out a quarter of the harmful words (a stricter split, for measuring only)')
    .option('--flag-target <share>', 'calibrate the flag line so that this share of unseen safe phrasings (a validation part of the training templates) is flagged; 0 turns calibration off', '0.006')
    .option('--reports <file>', 'JSONL of confirmed user reports to train on ({text, kind, categories})')
    .option('--verifier', 'also train the neural verifier of the cascade (src/moderation/cascade.ts) and save it in OUT/verifier (measured in src/moderation/README.md: not yet worth shipping)')
    .action(async (opts: { out: string; seed: string; epochs: string; flagTarget: string; reports?: string; splitVocabulary?: boolean; verifier?: boolean }) => {
      const { UserError } = await import('../../util/errors.ts');
      const { runCascadePipeline, formatTable, writeReport } = await import('../../moderation/pipeline.ts');
      const { readReports } = await import('../../moderation/reports.ts');
      const seed = Number(opts.seed);
      const epochs = Number(opts.epochs);
      if (!Number.isInteger(seed) || seed < 0) throw new UserError(`--seed must be a non-negative integer, got ${opts.seed}`);
      if (!Number.isInteger(epochs) || epochs < 1 || epochs > 1000) throw new UserError(`--epochs must be an integer from 1 to 1000, got ${opts.epochs}`);
      const flagTarget = Number(opts.flagTarget);
      if (!Number.isFinite(flagTarget) || flagTarget < 0 || flagTarget > 0.5) throw new UserError(`--flag-target must be a share from 0 to 0.5 (0.01 is 1%), got ${opts.flagTarget}`);
      const reports = opts.reports ? readReports(opts.reports) : [];
      const { classifier, report } = await runCascadePipeline({ seed, epochs, flagTarget, reports, corpus: { splitVocabulary: opts.splitVocabulary }, verifier: opts.verifier ? {} : false, log: (l) => console.error(l) });
      classifier.save(opts.out);
      writeReport(opts.out, report);
      console.log(`moderation classifier ${report.version} written to ${opts.out}`);
      console.log(formatTable(report));
      console.log(`obfuscated held-out unsafe texts still flagged: ${(report.obfuscatedRecall * 100).toFixed(1)}% (undisguised: ${(report.heldout.flagged.recall * 100).toFixed(1)}%)`);
      console.log(`held-out safe texts flagged: ${(report.safeFalsePositiveRate * 100).toFixed(1)}%`);
      console.log(`200-word messages of held-out safe texts flagged: ${(report.longSafeFalsePositiveRate * 100).toFixed(1)}% (ordinary text only: ${(report.longPlainFalsePositiveRate * 100).toFixed(1)}%)`);
      console.log(`one held-out unsafe text flagged with its category: inside a 200-word safe message ${(report.longHarmfulRecall * 100).toFixed(1)}%, alone ${(report.shortCategoryRecall * 100).toFixed(1)}%`);
      if (report.verifier && report.linearStage) {
        const l = report.linearStage;
        console.log(`cascade (verifier threshold ${report.verifier.threshold.toFixed(3)}); the linear model alone: precision ${l.heldout.flagged.precision.toFixed(3)}, recall ${l.heldout.flagged.recall.toFixed(3)}, safe texts flagged ${(l.safeFalsePositiveRate * 100).toFixed(1)}%, 200-word safe messages flagged ${(l.longSafeFalsePositiveRate * 100).toFixed(1)}%`);
      }
    });
}
