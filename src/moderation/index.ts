// The moderation component's public API (the server and the CLI import from here).
export { CATEGORIES, type Category, type ModerationResult } from './taxonomy.ts';
export { createModerator, openModerator, SHIPPED_MODEL_DIR, type Moderator, type ModeratorOptions } from './moderator.ts';
export { decide, defaultPolicy, loadPolicy, parsePolicy, type Action, type Decision, type Policy } from './policy.ts';
export { createStreamGuard, type StreamCheck, type StreamGuard } from './stream.ts';
export { parseReport, readReports, reportToExample, type Report } from './reports.ts';
export {
  combineResults,
  createModerationService,
  createUpstreamModerator,
  upstreamFromEnv,
  UpstreamError,
  type AsyncModerator,
} from './upstream.ts';
export { checkText, decodeUtf8, parseModerationInput } from './input.ts';
export { moderationResponse } from './response.ts';
