// The content filter's categories (the OpenAI moderation taxonomy), as the server validates them in
// src/moderation/taxonomy.ts; web/test/categories.test.ts keeps the two lists equal.
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
