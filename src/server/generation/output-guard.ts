// Checks a reply against the content filter while it is generated: the text so far is scored each
// time it has grown by CHECK_EVERY characters, and once more at the end. A 'block' decision stops the
// generation with finish_reason "content_filter".
import type { Moderator, ModerationResult } from '../moderation.ts';

const CHECK_EVERY = 200;

export class OutputGuard {
  private checkedAt = 0;
  last: ModerationResult | null = null;

  constructor(private readonly moderator: Moderator | null) {}

  /** True when the text must be blocked. */
  async blocks(text: string, final: boolean): Promise<boolean> {
    if (!this.moderator) return false;
    if (!final && text.length - this.checkedAt < CHECK_EVERY) return false;
    if (final && text.length === this.checkedAt && this.last) return this.moderator.decide(this.last) === 'block';
    this.checkedAt = text.length;
    if (text.trim() === '') return false;
    const [result] = await this.moderator.moderate([text]);
    this.last = result;
    return this.moderator.decide(result) === 'block';
  }
}
