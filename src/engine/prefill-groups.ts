// Which prompts to prefill together. A forward over a [B, T] batch right-pads every prompt to the
// longest, so batching pays while the padding stays small next to the real tokens (it saves reading the
// weights once per prompt and gives the matmuls more rows); a lone long prompt gains little from company.

/** At most this share of a group's rows may be padding. */
export const MAX_PADDING = 0.25;
/** Rows (B·T) of one prefill forward: bounds the activations and the [B, H, T, T] attention probabilities. */
export const MAX_ROWS = 1024;

/**
 * Splits prompt indices into groups to prefill together: sorted by length (longest first), a prompt joins
 * the current group while the group's padded rows stay under MAX_ROWS and its padding under MAX_PADDING.
 * Every index appears in exactly one group. lengths: [n] prompt lengths (>= 1).
 */
export function prefillGroups(lengths: number[]): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b] - lengths[a] || a - b);
  const groups: number[][] = [];
  let group: number[] = [], longest = 0, real = 0;
  for (const i of order) {
    const len = lengths[i];
    if (group.length) {
      const rows = (group.length + 1) * longest; // sorted: longest is still the group's longest
      if (rows <= MAX_ROWS && rows - (real + len) <= MAX_PADDING * rows) {
        group.push(i);
        real += len;
        continue;
      }
      groups.push(group);
    }
    group = [i];
    longest = len;
    real = len;
  }
  if (group.length) groups.push(group);
  return groups;
}
