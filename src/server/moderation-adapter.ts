// Connects src/moderation (the shipped classifier, an optional upstream, the warn/block policy) to
// the server's small Moderator interface. PARLEY_MODERATION=off turns content filtering off.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.ts';
import type { Moderator } from './moderation.ts';

type Env = Record<string, string | undefined>;

/** The moderator to use, or null with a notice saying why there is none. */
export async function loadModerator(env: Env = process.env): Promise<{ moderator: Moderator | null; notice: string | null }> {
  const mode = (env.PARLEY_MODERATION ?? 'on').toLowerCase();
  if (mode === 'off' || mode === '0' || mode === 'false') return { moderator: null, notice: 'Content filtering is off (PARLEY_MODERATION=off).' };
  if (!['on', '1', 'true'].includes(mode)) throw new UserError(`PARLEY_MODERATION=${env.PARLEY_MODERATION} must be on or off`);
  const m = await import('../moderation/index.ts');
  const up = await import('../moderation/upstream.ts');
  const dir = env.PARLEY_MODERATION_MODEL ?? m.SHIPPED_MODEL_DIR;
  const local = existsSync(join(dir, 'model.json')) ? m.createModerator({ modelDir: dir }) : undefined;
  const upstream = up.upstreamFromEnv(env as NodeJS.ProcessEnv);
  if (!local && !upstream) {
    return { moderator: null, notice: `No content classifier is installed (${dir} has no model.json): /v1/moderations answers 503 and replies are not filtered. Run \`parley train moderation\` to make one.` };
  }
  const service = up.createModerationService(local, upstream ? up.createUpstreamModerator(upstream.options) : undefined, upstream?.mode);
  const policy = m.loadPolicy(env.PARLEY_MODERATION_POLICY);
  return {
    moderator: {
      model: service.model,
      moderate: (texts) => service.moderate(texts),
      decide: (result) => m.decide(result, policy).action,
    },
    notice: null,
  };
}
