// The OpenAI moderation taxonomy, so our results drop into any client of `/v1/moderations`.
// A sub-category ("harassment/threatening") always implies its parent ("harassment"): labels are
// closed under that rule before training, and scores are reported as they come from the model.

export const CATEGORIES = [
  'harassment',
  'harassment/threatening',
  'hate',
  'hate/threatening',
  'illicit',
  'illicit/violent',
  'self-harm',
  'self-harm/intent',
  'self-harm/instructions',
  'sexual',
  'sexual/minors',
  'violence',
  'violence/graphic',
] as const;

export type Category = (typeof CATEGORIES)[number];

/** The OpenAI result for one input: `categories[c]` is the flag, `category_scores[c]` in [0, 1]. */
export interface ModerationResult {
  flagged: boolean;
  categories: Record<Category, boolean>;
  category_scores: Record<Category, number>;
}

export function isCategory(name: string): name is Category {
  return (CATEGORIES as readonly string[]).includes(name);
}

/** The parent of a sub-category, or undefined for a top-level category. */
export function parentOf(c: Category): Category | undefined {
  const slash = c.indexOf('/');
  return slash < 0 ? undefined : (c.slice(0, slash) as Category);
}

/** Adds every implied parent to a set of categories. */
export function withParents(cats: Iterable<Category>): Set<Category> {
  const out = new Set<Category>();
  for (const c of cats) {
    out.add(c);
    const p = parentOf(c);
    if (p) out.add(p);
  }
  return out;
}

/** Adds every sub-category of the given ones (denying "sexual" also denies "sexual/minors"). */
export function withChildren(cats: Iterable<Category>): Set<Category> {
  const out = new Set<Category>(cats);
  for (const c of CATEGORIES) {
    const p = parentOf(c);
    if (p && out.has(p)) out.add(c);
  }
  return out;
}

export function emptyResult(): ModerationResult {
  const categories = {} as Record<Category, boolean>;
  const category_scores = {} as Record<Category, number>;
  for (const c of CATEGORIES) {
    categories[c] = false;
    category_scores[c] = 0;
  }
  return { flagged: false, categories, category_scores };
}

/** Builds a result from scores (in CATEGORIES order) and per-category thresholds. */
export function resultFromScores(scores: ArrayLike<number>, thresholds: ArrayLike<number>): ModerationResult {
  const r = emptyResult();
  CATEGORIES.forEach((c, i) => {
    const s = scores[i];
    r.category_scores[c] = s;
    r.categories[c] = s >= thresholds[i];
    if (r.categories[c]) r.flagged = true;
  });
  return r;
}
