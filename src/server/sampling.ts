// OpenAI request sampling fields → the providers' SamplingOptions. Shared by /v1 and the app API
// (the app sends the same snake_case fields), so one set of rules and error messages covers both.
import { z } from 'zod';
import type { SamplingOptions } from '../providers/types.ts';
import type { ServerConfig } from './config.ts';
import { ApiError } from './errors.ts';

const nullable = <T extends z.ZodType>(t: T) => t.nullish();

export const samplingShape = {
  temperature: nullable(z.number().min(0).max(2)),
  top_p: nullable(z.number().min(0).max(1)),
  top_k: nullable(z.number().int().min(0)), // an extension (vLLM, llama.cpp accept it too)
  max_tokens: nullable(z.number().int().min(1)),
  max_completion_tokens: nullable(z.number().int().min(1)),
  stop: nullable(z.union([z.string(), z.array(z.string()).max(4)])),
  seed: nullable(z.number().int()),
  presence_penalty: nullable(z.number().min(-2).max(2)),
  frequency_penalty: nullable(z.number().min(-2).max(2)),
  repetition_penalty: nullable(z.number().gt(0).max(10)), // extension
  logprobs: nullable(z.boolean()),
  top_logprobs: nullable(z.number().int().min(0).max(20)),
};

export const samplingSchema = z.strictObject(samplingShape);
export type SamplingFields = z.infer<typeof samplingSchema>;

export function toSampling(f: SamplingFields, config: ServerConfig, contextLength = 0): SamplingOptions {
  const asked = f.max_completion_tokens ?? f.max_tokens ?? null;
  const param = f.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens';
  if (asked !== null && asked > config.maxCompletionTokens) {
    throw new ApiError(400, `${param} is ${asked}, more than this server allows (${config.maxCompletionTokens}, PARLEY_MAX_COMPLETION_TOKENS)`, 'invalid_value', param);
  }
  if (asked !== null && contextLength > 0 && asked > contextLength) {
    throw new ApiError(400, `${param} is ${asked}, more than the model's context length of ${contextLength} tokens`, 'context_length_exceeded', param);
  }
  if (f.top_logprobs && !f.logprobs) {
    throw new ApiError(400, 'top_logprobs needs logprobs: true', 'invalid_value', 'top_logprobs');
  }
  let maxTokens = asked ?? config.defaultMaxTokens;
  if (asked === null && contextLength > 0) maxTokens = Math.min(maxTokens, contextLength);
  const stop = f.stop == null ? [] : typeof f.stop === 'string' ? [f.stop] : f.stop;
  return {
    maxTokens,
    temperature: f.temperature ?? 1,
    topP: f.top_p ?? 1,
    topK: f.top_k ?? 0,
    presencePenalty: f.presence_penalty ?? 0,
    frequencyPenalty: f.frequency_penalty ?? 0,
    repetitionPenalty: f.repetition_penalty ?? 1,
    stop: stop.filter((s) => s.length > 0),
    ...(f.seed != null ? { seed: f.seed } : {}),
    logprobs: f.logprobs ?? false,
    topLogprobs: f.top_logprobs ?? 0,
  };
}
