// What to do with a moderation result: allow it, warn (orange) or block (red). Each category has an
// action and a score threshold; the decision is the strictest action among categories whose score
// reaches their threshold.
//
// Policy JSON (PARLEY_MODERATION_POLICY holds it inline or names a file; every key is optional):
//   { "default": {"action": "warn", "threshold": 0.5},
//     "categories": { "sexual/minors": {"action": "block", "threshold": 0.3}, "harassment": "allow" } }

import { existsSync, readFileSync } from 'node:fs';
import { UserError } from '../util/errors.ts';
import { CATEGORIES, isCategory, type Category, type ModerationResult } from './taxonomy.ts';

export type Action = 'allow' | 'warn' | 'block';
const ACTIONS: Action[] = ['allow', 'warn', 'block'];

export interface CategoryRule {
  action: Action;
  threshold: number;
}

export type Policy = Record<Category, CategoryRule>;

export interface Decision {
  action: Action;
  /** Categories that reached their threshold with the decided action (strictest first). */
  categories: Category[];
}

// The worst harms block outright, with a lower threshold (a false block is cheaper than a miss);
// everything else warns so that people see the flag without losing legitimate conversations.
const BLOCKING: Partial<Record<Category, number>> = {
  'sexual/minors': 0.3,
  'self-harm/instructions': 0.4,
  'illicit/violent': 0.4,
  'hate/threatening': 0.4,
};

export function defaultPolicy(): Policy {
  const p = {} as Policy;
  for (const c of CATEGORIES) {
    p[c] = c in BLOCKING ? { action: 'block', threshold: BLOCKING[c]! } : { action: 'warn', threshold: 0.5 };
  }
  return p;
}

export function decide(result: ModerationResult, policy: Policy = defaultPolicy()): Decision {
  const hits: Record<Action, Category[]> = { allow: [], warn: [], block: [] };
  for (const c of CATEGORIES) {
    const rule = policy[c];
    if (rule.action !== 'allow' && result.category_scores[c] >= rule.threshold) hits[rule.action].push(c);
  }
  if (hits.block.length) return { action: 'block', categories: hits.block };
  if (hits.warn.length) return { action: 'warn', categories: hits.warn };
  return { action: 'allow', categories: [] };
}

function parseRule(v: unknown, base: CategoryRule, where: string): CategoryRule {
  if (typeof v === 'string') v = { action: v };
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new UserError(`${where} must be an action string or {action, threshold}`);
  const o = v as { action?: unknown; threshold?: unknown };
  const rule = { ...base };
  if (o.action !== undefined) {
    if (!ACTIONS.includes(o.action as Action)) throw new UserError(`${where}.action must be one of ${ACTIONS.join(', ')}, got ${JSON.stringify(o.action)}`);
    rule.action = o.action as Action;
  }
  if (o.threshold !== undefined) {
    if (typeof o.threshold !== 'number' || !(o.threshold >= 0 && o.threshold <= 1)) {
      throw new UserError(`${where}.threshold must be a number in [0, 1], got ${JSON.stringify(o.threshold)}`);
    }
    rule.threshold = o.threshold;
  }
  return rule;
}

/** A policy from its JSON form, on top of the defaults. */
export function parsePolicy(json: unknown, where = 'policy'): Policy {
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw new UserError(`${where} must be a JSON object`);
  const o = json as { default?: unknown; categories?: unknown };
  for (const k of Object.keys(o)) if (k !== 'default' && k !== 'categories') throw new UserError(`${where}: unknown key "${k}" (expected "default" and "categories")`);
  const policy = defaultPolicy();
  // "default" replaces the rule of every category that does not block by default; blocking
  // categories change only when named under "categories".
  if (o.default !== undefined) {
    const d = parseRule(o.default, { action: 'warn', threshold: 0.5 }, `${where}.default`);
    for (const c of CATEGORIES) if (!(c in BLOCKING)) policy[c] = { ...d };
  }
  if (o.categories !== undefined) {
    if (!o.categories || typeof o.categories !== 'object') throw new UserError(`${where}.categories must be an object`);
    for (const [name, v] of Object.entries(o.categories)) {
      if (!isCategory(name)) throw new UserError(`${where}.categories: unknown category "${name}" (known: ${CATEGORIES.join(', ')})`);
      policy[name] = parseRule(v, policy[name], `${where}.categories["${name}"]`);
    }
  }
  return policy;
}

/** The policy from PARLEY_MODERATION_POLICY (inline JSON or a file path), or the defaults. */
export function loadPolicy(value = process.env.PARLEY_MODERATION_POLICY): Policy {
  if (!value || !value.trim()) return defaultPolicy();
  const inline = value.trim().startsWith('{');
  if (!inline && !existsSync(value)) throw new UserError(`moderation policy file ${value} does not exist`);
  const where = inline ? 'PARLEY_MODERATION_POLICY' : value;
  const text = inline ? value : readFileSync(value, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${where} is not valid JSON (${(e as Error).message})`);
  }
  return parsePolicy(json, where);
}
