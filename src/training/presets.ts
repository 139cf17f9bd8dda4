// Pipeline presets: everything `parley pipeline` needs to know, by size. `tiny` proves the stages
// connect (npm test runs it, well under 3 minutes); `small` is a quick look at real behaviour;
// `default` makes the shipped model: ≤ 10 M parameters (≤ 40 MB in float32), ≤ 90 minutes end to end
// on a 2-core machine (step budgets from `parley bench train` numbers, see README.md).
import { UserError } from '../util/errors.ts';
import type { ModelShape } from './pretrain.ts';
import { DEFAULT_PPO, type PpoSettings } from './ppo.ts';

export interface Preset {
  name: string;
  seed: number;
  data: { scale: number };
  tokenizer: { vocab: number };
  model: ModelShape;
  pretrain: { steps: number; batch: number; microBatch: number; ctx: number; lr: number; warmup: number; maxTokens: number; maxMinutes?: number; mixChat?: boolean };
  sft: { steps: number; batch: number; microBatch: number; ctx: number; lr: number; warmup: number; maxMinutes?: number };
  rankings: { prompts: number; k: number; maxTokens: number; temperature: number; noise: number; lengthPreference: number };
  reward: { epochs: number; batch: number; lr: number; ctx: number; heldout: number; calibrationSamples: number; maxMinutes?: number };
  ppo: PpoSettings;
  iterations: number; // rounds of rankings → reward → PPO unless --iterations says otherwise
  fromLastPolicy: boolean; // later iterations start PPO from the last policy (else from SFT)
  eval: { limit: number; maxTokens: number };
}

const tiny: Preset = {
  name: 'tiny',
  seed: 1,
  data: { scale: 0.02 },
  tokenizer: { vocab: 640 },
  model: { layers: 2, dim: 64, heads: 4, kvHeads: 2, ffn: 176, maxPositions: 256, tied: true },
  pretrain: { steps: 30, batch: 8, microBatch: 8, ctx: 96, lr: 3e-3, warmup: 5, maxTokens: 200_000, mixChat: true },
  sft: { steps: 30, batch: 8, microBatch: 8, ctx: 128, lr: 2e-3, warmup: 3 },
  rankings: { prompts: 12, k: 3, maxTokens: 20, temperature: 1, noise: 0.1, lengthPreference: -1 },
  reward: { epochs: 2, batch: 4, lr: 1e-3, ctx: 192, heldout: 0.25, calibrationSamples: 16 },
  ppo: { ...DEFAULT_PPO, steps: 4, prompts: 8, maxTokens: 20, lr: 1e-4, valueLr: 1e-4, epochs: 2, beta: 0.05, targetKl: 2, horizon: 1000, ctx: 192, microBatch: 8, seed: 1 },
  iterations: 2,
  fromLastPolicy: true,
  eval: { limit: 2, maxTokens: 24 },
};

const small: Preset = {
  name: 'small',
  seed: 1,
  data: { scale: 0.2 },
  tokenizer: { vocab: 2048 },
  model: { layers: 4, dim: 128, heads: 4, kvHeads: 2, ffn: 344, maxPositions: 512, tied: true },
  pretrain: { steps: 300, batch: 16, microBatch: 8, ctx: 192, lr: 3e-3, warmup: 20, maxTokens: 2_000_000, mixChat: true },
  sft: { steps: 300, batch: 16, microBatch: 8, ctx: 192, lr: 3e-3, warmup: 20 },
  rankings: { prompts: 96, k: 4, maxTokens: 40, temperature: 1, noise: 0.1, lengthPreference: -1 },
  reward: { epochs: 2, batch: 8, lr: 3e-4, ctx: 256, heldout: 0.15, calibrationSamples: 64 },
  ppo: { ...DEFAULT_PPO, steps: 30, prompts: 16, maxTokens: 40, lr: 2e-5, valueLr: 1e-4, epochs: 2, beta: 0.05, targetKl: 4, horizon: 2000, ctx: 256, microBatch: 8, seed: 1 },
  iterations: 2,
  fromLastPolicy: true,
  eval: { limit: 25, maxTokens: 48 },
};

// 1.25 M parameters (5 MB in float32), the shape of `small`: the recipe study (studies/FINDINGS.md) found
// that tokens, not parameters, bind here. The 5.5 M shape (6x256) learns only ~5 % more per token but
// trains 3.5x slower (901 vs 3,127 tokens/s), so within 36 + 20 min it would see ~2 prose epochs, where
// held-out facts only begin to appear; this shape sees ~10. Learning rates 3e-3 were stable for both
// shapes. Step counts are upper bounds: pretraining and SFT measure their speed after a few steps and
// shrink to fit their budgets (50 + 12 min; SFT uses ~1), reward models (4 min) and PPO (5 min) stop at
// theirs, leaving ~15 min for data, tokenizer, sampling the rankings and eval: at most ~75 min in all,
// inside the 90 (measured: 48 min for runs/d3 on an idle machine, where the 7,000-step cap ended
// pretraining after 39 of its 50 minutes). Prose epochs are the one lever found for held-out facts (3.4 epochs: none; ~11 epochs
// in 36 min: 0.44), so pretraining takes the time the short SFT left over.
// Pretraining mixes the demonstrations into the prose (mixChat, "mixed training"), so the model learns
// to answer questions while it memorises the facts; SFT then only polishes the chat format at a low
// rate. Measured on the default run (eval --limit 100): the mixed-pretrained model answers 0.44 of the
// held-out fact questions; 1,319 more SFT steps at 3e-3 (demonstrations only) dropped that to 0.07 (the
// prose is forgotten), 250 steps at 3e-4 to 0.36, 250 steps at 1e-4 kept 0.41.
// RL: the SFT policy is peaked (0.06-0.11 nats per token), so rankings sampled at temperature 1 were
// mostly ties and PPO's 30 steps moved nothing (win 0.498 at KL 0.05). Sampling the rankings at 1.5 on
// 128 prompts lifted the reward model's held-out accuracy 0.35 → 0.53, and 150 PPO steps per round
// (about 3 of PPO's 5 minutes) moved the policy: win 0.536 at KL 0.38 (FINDINGS.md section 5).
// Rankings are cheap (1,024 prompts x 4 replies: 26 s) and the reward model is what limits PPO: on
// the session-3 run, 870 training rankings instead of 109 took PPO's win rate over SFT from 0.49 to
// 0.53 (lr 2e-5, KL 0.12); a higher PPO rate (5e-5, 1e-4) only exploited the weak reward model
// (reward up, facts 0.45 -> 0.30 and 0.10). FINDINGS.md section 6.
const defaultPreset: Preset = {
  name: 'default',
  seed: 1,
  data: { scale: 1 },
  tokenizer: { vocab: 4096 },
  model: { layers: 4, dim: 128, heads: 4, kvHeads: 2, ffn: 344, maxPositions: 512, tied: true },
  pretrain: { steps: 7000, batch: 16, microBatch: 8, ctx: 192, lr: 3e-3, warmup: 50, maxTokens: 4_000_000, maxMinutes: 50, mixChat: true },
  sft: { steps: 250, batch: 16, microBatch: 8, ctx: 192, lr: 1e-4, warmup: 20, maxMinutes: 12 },
  rankings: { prompts: 1024, k: 4, maxTokens: 48, temperature: 1.5, noise: 0.1, lengthPreference: -1 },
  reward: { epochs: 2, batch: 8, lr: 2e-4, ctx: 256, heldout: 0.15, calibrationSamples: 48, maxMinutes: 4 },
  ppo: { ...DEFAULT_PPO, steps: 150, prompts: 16, maxTokens: 48, lr: 2e-5, valueLr: 1e-4, epochs: 2, beta: 0.05, targetKl: 4, horizon: 2000, ctx: 256, microBatch: 8, seed: 1, maxSeconds: 300 },
  iterations: 2,
  fromLastPolicy: true,
  eval: { limit: 40, maxTokens: 64 },
};

export const PRESETS: Record<string, Preset> = { tiny, small, default: defaultPreset };

export function getPreset(name: string): Preset {
  const p = PRESETS[name];
  if (!p) throw new UserError(`unknown preset "${name}" (one of ${Object.keys(PRESETS).join(', ')})`);
  return structuredClone(p);
}
