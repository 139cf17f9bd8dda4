// Stop strings over streamed text: text is released as soon as it cannot be the start of a stop
// string, so a stop that arrives split across tokens is still caught and never shown.

export class StopMatcher {
  private held = '';
  private readonly longest: number;

  constructor(private readonly stops: string[]) {
    this.stops = stops.filter((s) => s.length > 0);
    this.longest = Math.max(0, ...this.stops.map((s) => s.length));
  }

  /** Adds text; returns what can be shown now, and whether a stop string was reached (text after it is dropped). */
  push(text: string): { text: string; stopped: boolean } {
    if (this.stops.length === 0) return { text, stopped: false };
    const all = this.held + text;
    let cut = -1;
    for (const s of this.stops) {
      const at = all.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.held = '';
      return { text: all.slice(0, cut), stopped: true };
    }
    // Hold back the longest tail that is a prefix of some stop string.
    let keep = 0;
    for (let n = Math.min(this.longest - 1, all.length); n > 0; n--) {
      const tail = all.slice(all.length - n);
      if (this.stops.some((s) => s.startsWith(tail))) {
        keep = n;
        break;
      }
    }
    this.held = all.slice(all.length - keep);
    return { text: all.slice(0, all.length - keep), stopped: false };
  }

  /** The held-back text, at the end of generation (it turned out not to be a stop). */
  flush(): string {
    const t = this.held;
    this.held = '';
    return t;
  }
}
