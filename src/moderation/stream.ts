// Moderating a model reply while it streams. The caller pushes each token (or text delta); every
// `every` pushes the guard scores the tail of the reply (the last `windowChars` characters, which
// covers the classifier's window so nothing new is scored out of context) and returns the decision.
// Once a check says block, the caller stops generating and finishes with
// `finish_reason: "content_filter"`; `finish()` scores whatever arrived since the last check.

import { decide, defaultPolicy, type Decision, type Policy } from './policy.ts';
import type { Moderator } from './moderator.ts';

export interface StreamGuardOptions {
  policy?: Policy;
  /** Check after this many pushes (tokens). */
  every?: number;
  /** How much of the end of the reply each check scores. */
  windowChars?: number;
}

export interface StreamCheck {
  /** True when the reply must stop now with finish_reason "content_filter". */
  stop: boolean;
  finish_reason?: 'content_filter';
  /** The strictest decision so far (a warning stays once raised). */
  decision: Decision;
}

export interface StreamGuard {
  push(delta: string): StreamCheck;
  finish(): StreamCheck;
  readonly text: string;
}

const RANK = { allow: 0, warn: 1, block: 2 } as const;

export function createStreamGuard(moderator: Pick<Moderator, 'moderate'>, opts: StreamGuardOptions = {}): StreamGuard {
  const policy = opts.policy ?? defaultPolicy();
  const every = Math.max(1, opts.every ?? 8);
  const windowChars = opts.windowChars ?? 1200;
  let text = '';
  let pending = 0;
  let worst: Decision = { action: 'allow', categories: [] };
  let stopped = false;

  const check = (): StreamCheck => {
    pending = 0;
    const tail = text.length > windowChars ? text.slice(text.length - windowChars) : text;
    const d = decide(moderator.moderate([tail])[0], policy);
    if (RANK[d.action] > RANK[worst.action]) worst = d;
    if (worst.action === 'block') stopped = true;
    return result();
  };
  const result = (): StreamCheck =>
    stopped ? { stop: true, finish_reason: 'content_filter', decision: worst } : { stop: false, decision: worst };

  return {
    push(delta: string): StreamCheck {
      if (stopped) return result();
      text += delta;
      pending++;
      return pending >= every ? check() : result();
    },
    finish(): StreamCheck {
      return stopped || pending === 0 ? result() : check();
    },
    get text() {
      return text;
    },
  };
}
