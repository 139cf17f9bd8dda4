import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StopMatcher } from './stop-strings.ts';

function feed(stops: string[], pieces: string[]): { shown: string; stopped: boolean } {
  const m = new StopMatcher(stops);
  let shown = '';
  for (const p of pieces) {
    const r = m.push(p);
    shown += r.text;
    if (r.stopped) return { shown, stopped: true };
  }
  return { shown: shown + m.flush(), stopped: false };
}

test('a stop string split across pieces is caught and never shown', () => {
  assert.deepEqual(feed(['\nUser:'], ['Hello', ' there\n', 'Us', 'er: hi']), { shown: 'Hello there', stopped: true });
  assert.deepEqual(feed(['END', 'xyz'], ['abcxy', 'zEND']), { shown: 'abc', stopped: true });
});

test('text that only looked like the start of a stop is released, in order', () => {
  const m = new StopMatcher(['STOP']);
  assert.deepEqual(m.push('go ST'), { text: 'go ', stopped: false });
  assert.deepEqual(m.push('ART now'), { text: 'START now', stopped: false });
  assert.deepEqual(feed(['STOP'], ['ends in ST']), { shown: 'ends in ST', stopped: false });
});

test('no stops: everything passes straight through; empty stops are ignored', () => {
  assert.deepEqual(feed([], ['a', 'b']), { shown: 'ab', stopped: false });
  assert.deepEqual(feed([''], ['a', 'b']), { shown: 'ab', stopped: false });
});
