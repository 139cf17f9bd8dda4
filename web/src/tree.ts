// A conversation is a tree of messages (parentId links); the screen shows one branch, from the root
// to the conversation's current leaf. Editing a message or regenerating a reply adds a sibling;
// sibling navigation switches to the newest leaf under the chosen sibling.

export interface TreeNode { id: string; parentId: string | null; createdAt: string }

export class MessageTree<M extends TreeNode> {
  readonly byId = new Map<string, M>();
  private readonly children = new Map<string | null, M[]>();

  constructor(messages: M[]) {
    for (const m of messages) this.byId.set(m.id, m);
    for (const m of messages) {
      const key = m.parentId && this.byId.has(m.parentId) ? m.parentId : null;
      const list = this.children.get(key) ?? [];
      list.push(m);
      this.children.set(key, list);
    }
    for (const list of this.children.values()) list.sort(byAge);
  }

  childrenOf(id: string | null): M[] {
    return this.children.get(id) ?? [];
  }

  /** Messages sharing `id`'s parent (itself included), oldest first. */
  siblingsOf(id: string): M[] {
    const m = this.byId.get(id);
    if (!m) return [];
    return this.childrenOf(m.parentId && this.byId.has(m.parentId) ? m.parentId : null);
  }

  /** Root → leaf. An unknown leaf gives the newest branch. */
  branch(leafId: string | null): M[] {
    let leaf = leafId ? this.byId.get(leafId) : undefined;
    if (!leaf) {
      const roots = this.childrenOf(null);
      if (!roots.length) return [];
      leaf = this.byId.get(this.newestLeafUnder(roots[roots.length - 1].id))!;
    }
    const out: M[] = [];
    for (let m: M | undefined = leaf; m; m = m.parentId ? this.byId.get(m.parentId) : undefined) out.push(m);
    return out.reverse();
  }

  /** The leaf reached from `id` by always taking the newest child. */
  newestLeafUnder(id: string): string {
    let cur = id;
    for (;;) {
      const kids = this.childrenOf(cur);
      if (!kids.length) return cur;
      cur = kids[kids.length - 1].id;
    }
  }
}

function byAge(a: TreeNode, b: TreeNode): number {
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** "Today", "Yesterday", "Previous 7 days", "Previous 30 days", or the month — as ChatGPT groups its list. */
export function dateGroup(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const startOfToday = new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime();
  const day = 86_400_000;
  const t = d.getTime();
  if (t >= startOfToday) return 'Today';
  if (t >= startOfToday - day) return 'Yesterday';
  if (t >= startOfToday - 7 * day) return 'Previous 7 days';
  if (t >= startOfToday - 30 * day) return 'Previous 30 days';
  return d.toLocaleString('en', { month: 'long', year: 'numeric' });
}
