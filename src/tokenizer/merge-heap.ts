// A binary min-heap of candidate merges keyed by (rank, position): the lowest rank merges first and,
// among equal ranks, the leftmost — the order HF's BPE applies merges in. Entries are two parallel
// Int32Arrays so applying merges to a word allocates nothing per merge.
export class MergeHeap {
  private rank: Int32Array;
  private pos: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.rank = new Int32Array(Math.max(4, capacity));
    this.pos = new Int32Array(Math.max(4, capacity));
  }

  /** Empties the heap, growing it if it cannot hold `capacity` entries. */
  reset(capacity: number): void {
    if (capacity > this.rank.length) {
      this.rank = new Int32Array(capacity);
      this.pos = new Int32Array(capacity);
    }
    this.size = 0;
  }

  private less(i: number, j: number): boolean {
    const ri = this.rank[i], rj = this.rank[j];
    return ri < rj || (ri === rj && this.pos[i] < this.pos[j]);
  }

  private swap(i: number, j: number): void {
    const r = this.rank[i], p = this.pos[i];
    this.rank[i] = this.rank[j];
    this.pos[i] = this.pos[j];
    this.rank[j] = r;
    this.pos[j] = p;
  }

  push(rank: number, pos: number): void {
    if (this.size === this.rank.length) {
      const r = new Int32Array(this.size * 2), p = new Int32Array(this.size * 2);
      r.set(this.rank);
      p.set(this.pos);
      this.rank = r;
      this.pos = p;
    }
    let i = this.size++;
    this.rank[i] = rank;
    this.pos[i] = pos;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  /** Removes the top entry; read it first with topRank()/topPos(). */
  pop(): void {
    const last = --this.size;
    this.rank[0] = this.rank[last];
    this.pos[0] = this.pos[last];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < last && this.less(l, m)) m = l;
      if (r < last && this.less(r, m)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
    }
  }

  topRank(): number {
    return this.rank[0];
  }

  topPos(): number {
    return this.pos[0];
  }
}
