// The arithmetic of the reward model, PPO and DPO, apart from any model so it can be checked by hand.
// Every loss returns its value and its gradient with respect to the model outputs it consumes
// (scores, log-probs or values); the stage files backpropagate those through the engine's heads.

export function logSigmoid(x: number): number {
  // Stable for large |x|: log σ(x) = −log(1 + e^(−x)).
  return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
}

/** Binary cross-entropy of a logit z against a label y in [0, 1], written stably: softplus(z) − y·z. */
export function bceWithLogits(z: number, y: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/**
 * InstructGPT's reward loss for one prompt: −1/C(K,2) · Σ over ranked pairs (w above l) of
 * log σ(r_w − r_l). `scores[i]` is the reward of completion i; `ranking` lists indices best first
 * (it may leave completions out). Returns dLoss/dscores and the share of pairs ordered correctly.
 * With `texts`, a pair of identical completions is a tie: it still enters the loss (its gradient is
 * zero, since both get the same score) but not the accuracy, which no model could get right; `pairs`
 * then counts the judged (distinct) pairs only.
 */
export function rankingLoss(scores: ArrayLike<number>, ranking: readonly number[], texts?: readonly string[]): { loss: number; dScores: Float64Array; accuracy: number; pairs: number } {
  const K = ranking.length;
  const pairs = (K * (K - 1)) / 2;
  const dScores = new Float64Array(scores.length);
  let loss = 0, right = 0, judged = 0;
  for (let i = 0; i < K; i++) {
    for (let j = i + 1; j < K; j++) {
      const w = ranking[i], l = ranking[j];
      const diff = scores[w] - scores[l];
      loss -= logSigmoid(diff) / pairs;
      const g = -sigmoid(-diff) / pairs; // d(−log σ(d))/dd = −σ(−d)
      dScores[w] += g;
      dScores[l] -= g;
      if (texts && texts[w] === texts[l]) continue;
      judged++;
      if (diff > 0) right++;
    }
  }
  return { loss, dScores, accuracy: judged ? right / judged : 0, pairs: judged };
}

/**
 * Per-token rewards of one reply of n tokens: −β·(logπ − logπ_SFT) at every token, plus the reward
 * model's score (and the penalty for a reply cut off before its end-of-turn) at the last token.
 */
export function tokenRewards(logp: ArrayLike<number>, refLogp: ArrayLike<number>, beta: number, score: number): { rewards: Float64Array; kl: number } {
  const n = logp.length;
  const rewards = new Float64Array(n);
  let kl = 0;
  for (let t = 0; t < n; t++) {
    const k = logp[t] - refLogp[t];
    kl += k;
    rewards[t] = -beta * k;
  }
  if (n > 0) rewards[n - 1] += score;
  return { rewards, kl };
}

/**
 * Generalised advantage estimation over one reply (the episode ends after its last token, so the
 * value after it is 0): δ_t = r_t + γ·V_{t+1} − V_t, A_t = δ_t + γλ·A_{t+1}, returns = A + V.
 */
export function gae(rewards: ArrayLike<number>, values: ArrayLike<number>, gamma = 1, lambda = 0.95): { advantages: Float64Array; returns: Float64Array } {
  const n = rewards.length;
  const advantages = new Float64Array(n), returns = new Float64Array(n);
  let next = 0, nextValue = 0;
  for (let t = n - 1; t >= 0; t--) {
    const delta = rewards[t] + gamma * nextValue - values[t];
    next = delta + gamma * lambda * next;
    advantages[t] = next;
    returns[t] = next + values[t];
    nextValue = values[t];
  }
  return { advantages, returns };
}

/** (x − mean) / std over all tokens of a batch (std with a floor, so a constant batch gives zeros). */
export function whiten(x: Float64Array): Float64Array {
  const n = x.length;
  if (n === 0) return x;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let varSum = 0;
  for (const v of x) varSum += (v - mean) ** 2;
  const std = Math.sqrt(varSum / n);
  return x.map((v) => (v - mean) / (std + 1e-8));
}

/**
 * PPO's clipped surrogate, averaged over n tokens: mean of max(−A·ρ, −A·clip(ρ, 1−ε, 1+ε)), ρ = e^(logp − oldLogp).
 * The gradient flows only where the unclipped term is the larger one: d/dlogp = −A·ρ/n.
 */
export function clippedPolicyLoss(logp: ArrayLike<number>, oldLogp: ArrayLike<number>, adv: ArrayLike<number>, clip = 0.2): { loss: number; dLogp: Float64Array; clipFrac: number; approxKl: number } {
  const n = logp.length;
  const dLogp = new Float64Array(n);
  let loss = 0, clipped = 0, approxKl = 0;
  for (let t = 0; t < n; t++) {
    const ratio = Math.exp(logp[t] - oldLogp[t]);
    const a = adv[t];
    const unclipped = -a * ratio;
    const clippedTerm = -a * Math.min(Math.max(ratio, 1 - clip), 1 + clip);
    if (unclipped >= clippedTerm) {
      loss += unclipped;
      dLogp[t] = (-a * ratio) / n;
    } else {
      loss += clippedTerm;
    }
    if (Math.abs(ratio - 1) > clip) clipped++;
    approxKl += 0.5 * (logp[t] - oldLogp[t]) ** 2;
  }
  return { loss: n ? loss / n : 0, dLogp, clipFrac: n ? clipped / n : 0, approxKl: n ? approxKl / n : 0 };
}

/**
 * PPO's clipped value loss, averaged over n tokens: ½·mean of max((V − R)², (V_clip − R)²) with
 * V_clip = oldV + clip(V − oldV, −ε, ε). The gradient follows whichever term is larger.
 */
export function clippedValueLoss(values: ArrayLike<number>, oldValues: ArrayLike<number>, returns: ArrayLike<number>, clip = 0.2): { loss: number; dValues: Float64Array; clipFrac: number } {
  const n = values.length;
  const dValues = new Float64Array(n);
  let loss = 0, clipped = 0;
  for (let t = 0; t < n; t++) {
    const v = values[t], old = oldValues[t], R = returns[t];
    const vClip = old + Math.min(Math.max(v - old, -clip), clip);
    const a = (v - R) ** 2, b = (vClip - R) ** 2;
    if (a >= b) {
      loss += 0.5 * a;
      dValues[t] = (v - R) / n;
    } else {
      loss += 0.5 * b;
      clipped++; // gradient is zero: V_clip does not move with V outside the band
    }
  }
  return { loss: n ? loss / n : 0, dValues, clipFrac: n ? clipped / n : 0 };
}

/**
 * The KL coefficient β: fixed, or adapted towards a target KL per reply (Ziegler et al. 2019):
 * β ← β·(1 + clip(KL/target − 1, −0.2, 0.2)·nSteps/horizon).
 */
export class KlController {
  constructor(public beta: number, readonly target?: number, readonly horizon = 10000) {}
  update(kl: number, nSteps: number): number {
    if (this.target === undefined || !(this.target > 0)) return this.beta;
    const error = Math.min(Math.max(kl / this.target - 1, -0.2), 0.2);
    this.beta *= 1 + (error * nSteps) / this.horizon;
    return this.beta;
  }
}

/**
 * DPO for one pair: −log σ(β·((π_c − ref_c) − (π_r − ref_r))), where each term is the summed
 * log-prob of the reply. Returns the gradients with respect to the policy's two sums.
 */
export function dpoLoss(policyChosen: number, policyRejected: number, refChosen: number, refRejected: number, beta: number): { loss: number; dChosen: number; dRejected: number; margin: number } {
  const margin = beta * ((policyChosen - refChosen) - (policyRejected - refRejected));
  const g = -beta * sigmoid(-margin);
  return { loss: -logSigmoid(margin), dChosen: g, dRejected: -g, margin };
}
