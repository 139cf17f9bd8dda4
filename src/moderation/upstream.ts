// An OpenAI-compatible `/v1/moderations` service used instead of, or beside, the local classifier.
//   replace: the upstream's results are returned as they are (missing categories read as 0);
//   combine: per category the higher score and either flag, so the stricter of the two wins.
// Configured by PARLEY_MODERATION_UPSTREAM_URL (base URL or full .../moderations URL),
// PARLEY_MODERATION_UPSTREAM_KEY, PARLEY_MODERATION_UPSTREAM_MODEL and
// PARLEY_MODERATION_UPSTREAM_MODE (replace | combine, default combine).

import { UserError } from '../util/errors.ts';
import type { Moderator } from './moderator.ts';
import { CATEGORIES, emptyResult, type ModerationResult } from './taxonomy.ts';

export interface UpstreamOptions {
  url: string;
  apiKey?: string;
  model?: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface AsyncModerator {
  readonly model: string;
  moderate(inputs: string[]): Promise<ModerationResult[]>;
}

export class UpstreamError extends Error {
  constructor(message: string, readonly status?: number) {
    super(message);
    this.name = 'UpstreamError';
  }
}

function endpoint(url: string): string {
  const u = url.replace(/\/+$/, '');
  return u.endsWith('/moderations') ? u : u.endsWith('/v1') ? `${u}/moderations` : `${u}/v1/moderations`;
}

export function createUpstreamModerator(opts: UpstreamOptions): AsyncModerator {
  const url = endpoint(opts.url);
  const doFetch = opts.fetch ?? fetch;
  return {
    model: opts.model ?? 'upstream',
    async moderate(inputs: string[]): Promise<ModerationResult[]> {
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (opts.apiKey) headers.authorization = `Bearer ${opts.apiKey}`;
      const body = JSON.stringify({ input: inputs, ...(opts.model ? { model: opts.model } : {}) });
      let res: Response;
      try {
        res = await doFetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000) });
      } catch (e) {
        throw new UpstreamError(`moderation upstream ${url} did not answer: ${(e as Error).message}`);
      }
      const text = await res.text();
      if (!res.ok) throw new UpstreamError(`moderation upstream ${url} answered ${res.status}: ${text.slice(0, 300)}`, res.status);
      let json: { results?: unknown };
      try {
        json = JSON.parse(text);
      } catch {
        throw new UpstreamError(`moderation upstream ${url} answered with invalid JSON`);
      }
      if (!Array.isArray(json.results) || json.results.length !== inputs.length) {
        throw new UpstreamError(`moderation upstream ${url} returned ${Array.isArray(json.results) ? json.results.length : 'no'} results for ${inputs.length} inputs`);
      }
      return json.results.map(toResult);
    },
  };
}

// Keeps our categories only; scores are clamped to [0, 1] and a missing flag follows the score.
function toResult(r: unknown): ModerationResult {
  const o = (r ?? {}) as { categories?: Record<string, unknown>; category_scores?: Record<string, unknown> };
  const out = emptyResult();
  for (const c of CATEGORIES) {
    const s = Number(o.category_scores?.[c] ?? 0);
    out.category_scores[c] = Number.isFinite(s) ? Math.min(1, Math.max(0, s)) : 0;
    const f = o.categories?.[c];
    out.categories[c] = typeof f === 'boolean' ? f : out.category_scores[c] >= 0.5;
    if (out.categories[c]) out.flagged = true;
  }
  return out;
}

export function combineResults(a: ModerationResult, b: ModerationResult): ModerationResult {
  const out = emptyResult();
  for (const c of CATEGORIES) {
    out.category_scores[c] = Math.max(a.category_scores[c], b.category_scores[c]);
    out.categories[c] = a.categories[c] || b.categories[c];
    if (out.categories[c]) out.flagged = true;
  }
  return out;
}

export type UpstreamMode = 'replace' | 'combine';

/** The local moderator, the upstream, or both, behind one async interface. */
export function createModerationService(local: Moderator | undefined, upstream?: AsyncModerator, mode: UpstreamMode = 'combine'): AsyncModerator {
  if (!local && !upstream) throw new Error('createModerationService needs a local moderator, an upstream, or both');
  if (!upstream) return { model: local!.model, moderate: async (inputs) => local!.moderate(inputs) };
  if (!local || mode === 'replace') return upstream;
  return {
    model: `${local.model}+${upstream.model}`,
    async moderate(inputs) {
      const mine = local.moderate(inputs);
      const theirs = await upstream.moderate(inputs);
      return mine.map((r, i) => combineResults(r, theirs[i]));
    },
  };
}

/** Upstream options from PARLEY_MODERATION_UPSTREAM_*; undefined when no URL is set. */
export function upstreamFromEnv(env = process.env): { options: UpstreamOptions; mode: UpstreamMode } | undefined {
  const url = env.PARLEY_MODERATION_UPSTREAM_URL;
  if (!url) return undefined;
  try {
    new URL(url);
  } catch {
    throw new UserError(`PARLEY_MODERATION_UPSTREAM_URL is not a URL: ${url}`);
  }
  const mode = (env.PARLEY_MODERATION_UPSTREAM_MODE ?? 'combine') as UpstreamMode;
  if (mode !== 'replace' && mode !== 'combine') throw new UserError(`PARLEY_MODERATION_UPSTREAM_MODE must be replace or combine, got ${mode}`);
  return { options: { url, apiKey: env.PARLEY_MODERATION_UPSTREAM_KEY, model: env.PARLEY_MODERATION_UPSTREAM_MODEL }, mode };
}
