// Collecting rankings for the reward model: sample K replies per prompt from a policy and have the
// world's simulated trainer rank them (graders: correct and safe first, then complete, then concise;
// label noise and length preference as settings). Writes {"prompt","completions","ranking","meta"}
// lines, the same format `parley export rankings` writes from rankings people made in the web app.
import { UserError } from '../util/errors.ts';
import { parseMeta, rankWithSeed, type RankerOptions } from '../world/index.ts';
import { writeFilesAtomically } from '../world/jsonl.ts';
import { readPrompts } from './datasets.ts';
import { sampleReplies } from './rollout.ts';
import { loadPolicy } from './checkpoints.ts';
import type { Logger } from './progress.ts';
import { progress } from './progress.ts';

export interface RankingsOptions {
  model: string;
  tokenizer?: string;
  prompts: string; // prompts.jsonl with the world's meta (the ranker grades with it)
  offset: number; // first prompt to use (each iteration takes fresh prompts)
  count: number; // prompts to rank
  k: number;
  maxTokens: number;
  temperature: number;
  ctx: number;
  ranker: Partial<RankerOptions>;
  seed: number;
  out: string;
  log?: Logger;
}

export function collectRankings(o: RankingsOptions): Record<string, number> {
  const log = o.log ?? ((l: string) => console.error(l));
  if (!Number.isInteger(o.k) || o.k < 2) throw new UserError(`rankings: K must be at least 2 replies per prompt, got ${o.k}`);
  const all = readPrompts(o.prompts);
  const rows = all.map((p, i) => {
    if (!p.meta) throw new UserError(`${o.prompts}: prompt ${i + 1} has no "meta": the simulated ranker needs the world's metadata to grade replies`);
    return { prompt: p.prompt, meta: parseMeta(p.meta), rawMeta: p.meta };
  });
  // Fresh prompts per iteration: a window starting at `offset`, wrapping around the file.
  const picked = Array.from({ length: Math.min(o.count, rows.length) }, (_, i) => rows[(o.offset + i) % rows.length]);
  const p = loadPolicy(o.model, o.tokenizer);
  const started = Date.now();
  try {
    const ctx = Math.min(o.ctx, p.model.config.maxPositionEmbeddings);
    const lines: string[] = [];
    let swaps = 0, complete = 0, ok = 0;
    const chunk = 8;
    const bar = progress('rankings', picked.length, log);
    try {
      for (let s = 0; s < picked.length; s += chunk) {
        const group = picked.slice(s, s + chunk);
        const samples = sampleReplies(p.model, p.tokenizer, p.special, group.map((g) => g.prompt), o.k, { maxTokens: o.maxTokens, temperature: o.temperature, seed: o.seed * 7919 + s, maxContext: ctx });
        group.forEach((g, gi) => {
          const mine = samples.filter((r) => r.promptIndex === gi);
          const completions = mine.map((r) => r.text);
          const r = rankWithSeed(g.prompt, completions, g.meta, o.ranker, o.seed, o.offset + s + gi);
          swaps += r.swaps;
          ok += r.grades.filter((x) => x.ok).length;
          complete += mine.filter((x) => x.complete).length;
          lines.push(JSON.stringify({ prompt: g.prompt, completions, ranking: r.ranking, meta: g.rawMeta }));
        });
        bar.update(Math.min(s + chunk, picked.length), { ok: ok / ((s + group.length) * o.k) });
      }
    } finally {
      bar.stop();
    }
    writeFilesAtomically({ [o.out]: lines.join('\n') + '\n' });
    const n = picked.length * o.k;
    const summary = { prompts: picked.length, k: o.k, ok_share: ok / n, complete_share: complete / n, swaps, seconds: (Date.now() - started) / 1000 };
    log(`rankings: ${picked.length} prompts × ${o.k} replies, ${(summary.ok_share * 100).toFixed(0)} % graded ok, ${(summary.complete_share * 100).toFixed(0)} % ended their turn`);
    return summary;
  } finally {
    p.model.dispose();
  }
}
