// Sampling replies from a policy for chat prompts: the K samples that get ranked, the samples that
// calibrate the reward model, and PPO's experience. A reply that calls the calculator gets the tool's
// output and one more assistant turn, so the final text is what a user would see; the token sequence
// keeps every sampled token (both turns) marked as an action, and the tool output as context.
import type { LlamaModel } from '../engine/model.ts';
import { generate } from '../engine/generate.ts';
import type { Tokenizer } from '../tokenizer/tokenizer.ts';
import type { SpecialIds } from '../tokenizer/special-tokens.ts';
import { renderForCompletion, parseReply, stopTokenIds } from '../tokenizer/chat.ts';
import { runCalculatorTool } from '../tokenizer/calculator.ts';
import type { ChatMessage } from '../providers/types.ts';

export interface Rollout {
  promptIndex: number;
  ids: number[]; // prompt + sampled tokens (+ tool output + second turn), [n]
  actions: Uint8Array; // [n] 1 where ids[i] was sampled by the policy
  promptLength: number;
  text: string; // the final assistant text
  complete: boolean; // every sampled turn ended with <|end_of_turn|>
  toolCalls: number;
}

export interface SampleOptions {
  maxTokens: number; // per assistant turn
  temperature: number;
  seed: number;
  maxContext: number; // prompts are cut from the left to leave room for the reply
  batch?: number; // prompts generated together (default 16)
}

/** The ids a reply is judged on: its <|end_of_turn|> counts as a sampled action (so PPO learns to stop). */
function turn(gen: { ids: number[]; stopId?: number }, special: SpecialIds): { ids: number[]; complete: boolean } {
  const ids = gen.ids.slice();
  if (gen.stopId !== undefined) ids.push(gen.stopId);
  return { ids, complete: gen.stopId === special.endOfTurn };
}

/**
 * `k` samples for each prompt; returns them prompt-major (prompt 0's k samples first). Sampling
 * is plain (no top-k/top-p/penalties) so PPO's log-probs at `temperature` are the sampling distribution.
 */
export function sampleReplies(
  model: LlamaModel, tokenizer: Tokenizer, special: SpecialIds, prompts: ChatMessage[][], k: number, o: SampleOptions,
): Rollout[] {
  const stopIds = stopTokenIds(tokenizer);
  const jobs: Array<{ promptIndex: number; ids: number[] }> = [];
  prompts.forEach((p, i) => {
    let ids = Array.from(renderForCompletion(tokenizer, p));
    const room = o.maxContext - 2 * o.maxTokens - 16;
    if (ids.length > room) ids = [special.begin, ...ids.slice(ids.length - room + 1)];
    for (let j = 0; j < k; j++) jobs.push({ promptIndex: i, ids });
  });
  const out: Rollout[] = [];
  const batch = o.batch ?? 16;
  for (let s = 0; s < jobs.length; s += batch) {
    const chunk = jobs.slice(s, s + batch);
    const gens = generate(model, chunk.map((j) => j.ids), { maxTokens: o.maxTokens, temperature: o.temperature, stopIds, seed: o.seed + s });
    const second: number[] = [];
    const partial = chunk.map((j, c) => {
      const t = turn(gens[c], special);
      const parsed = parseReply(tokenizer, t.ids);
      const ids = [...j.ids, ...t.ids];
      const actions = [...new Array(j.ids.length).fill(0), ...new Array(t.ids.length).fill(1)];
      const r = { promptIndex: j.promptIndex, ids, actions, promptLength: j.ids.length, text: parsed.message.content, complete: t.complete, toolCalls: parsed.message.tool_calls?.length ?? 0 };
      if (t.complete && r.toolCalls > 0) {
        // The tool answers, then the assistant speaks again: <|tool_output|>…<|end_of_turn|><|assistant|>
        for (const call of parsed.message.tool_calls!) {
          r.ids.push(special.toolOutput, ...tokenizer.encode(runCalculatorTool(call)), special.endOfTurn);
        }
        r.ids.push(special.assistant);
        while (r.actions.length < r.ids.length) r.actions.push(0);
        if (r.ids.length + o.maxTokens < o.maxContext) second.push(c);
        else r.complete = false;
      }
      return r;
    });
    if (second.length) {
      const gens2 = generate(model, second.map((c) => partial[c].ids), { maxTokens: o.maxTokens, temperature: o.temperature, stopIds, seed: o.seed + s + 7919 });
      second.forEach((c, n) => {
        const t = turn(gens2[n], special);
        const r = partial[c];
        r.ids.push(...t.ids);
        for (let i = 0; i < t.ids.length; i++) r.actions.push(1);
        r.text = parseReply(tokenizer, t.ids).message.content;
        r.complete = t.complete;
      });
    }
    for (const r of partial) out.push({ ...r, actions: Uint8Array.from(r.actions) });
  }
  return out;
}
