// The branch logic of the chat view: which messages are on screen, siblings, and where a switch lands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageTree, dateGroup } from '../src/tree.ts';

const at = (n: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
// u1 → a1 → u2 → a2 ; a1' regenerated beside a1 ; u1' edited beside u1 → a3
const msgs = [
  { id: 'u1', parentId: null, createdAt: at(1) },
  { id: 'a1', parentId: 'u1', createdAt: at(2) },
  { id: 'u2', parentId: 'a1', createdAt: at(3) },
  { id: 'a2', parentId: 'u2', createdAt: at(4) },
  { id: 'a1b', parentId: 'u1', createdAt: at(5) },
  { id: 'u1b', parentId: null, createdAt: at(6) },
  { id: 'a3', parentId: 'u1b', createdAt: at(7) },
];

test('the branch runs from the root to the leaf; an unknown leaf gives the newest branch', () => {
  const t = new MessageTree([...msgs].reverse());
  assert.deepEqual(t.branch('a2').map((m) => m.id), ['u1', 'a1', 'u2', 'a2']);
  assert.deepEqual(t.branch('a1b').map((m) => m.id), ['u1', 'a1b']);
  assert.deepEqual(t.branch(null).map((m) => m.id), ['u1b', 'a3']);
  assert.deepEqual(t.branch('gone').map((m) => m.id), ['u1b', 'a3']);
  assert.deepEqual(new MessageTree([]).branch(null), []);
});

test('siblings are ordered oldest first, roots included; a switch lands on the newest leaf below', () => {
  const t = new MessageTree(msgs);
  assert.deepEqual(t.siblingsOf('a1').map((m) => m.id), ['a1', 'a1b']);
  assert.deepEqual(t.siblingsOf('u1b').map((m) => m.id), ['u1', 'u1b']);
  assert.deepEqual(t.siblingsOf('a2').map((m) => m.id), ['a2']);
  assert.equal(t.newestLeafUnder('u1'), 'a1b');
  assert.equal(t.newestLeafUnder('a1'), 'a2');
  assert.equal(t.newestLeafUnder('a3'), 'a3');
});

test('a message whose parent is missing is treated as a root', () => {
  const t = new MessageTree([{ id: 'x', parentId: 'deleted', createdAt: at(1) }, { id: 'y', parentId: 'x', createdAt: at(2) }]);
  assert.deepEqual(t.branch(null).map((m) => m.id), ['x', 'y']);
  assert.deepEqual(t.siblingsOf('x').map((m) => m.id), ['x']);
});

test('dates group as the chat list shows them', () => {
  const now = new Date(2026, 5, 15, 12, 0, 0);
  const ago = (days: number) => new Date(now.getTime() - days * 86_400_000).toISOString();
  assert.equal(dateGroup(ago(0.1), now), 'Today');
  assert.equal(dateGroup(ago(1), now), 'Yesterday');
  assert.equal(dateGroup(ago(5), now), 'Previous 7 days');
  assert.equal(dateGroup(ago(20), now), 'Previous 30 days');
  assert.equal(dateGroup(new Date(2026, 1, 3).toISOString(), now), 'February 2026');
});
