// The web app's category list must be the server's, or the report dialog offers labels the API refuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CATEGORIES as WEB } from '../src/moderation-categories.ts';
import { CATEGORIES as SERVER } from '../../src/moderation/taxonomy.ts';

test('the report dialog offers exactly the taxonomy the server validates', () => {
  assert.deepEqual([...WEB], [...SERVER]);
});
