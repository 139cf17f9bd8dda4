// End-to-end: Debian's Chromium drives the built web app against a real `parley serve` running the
// script model (web/test/script-model.ts) on the real engine, with the shipped content filter. The
// tests share one server and one signed-in browser and run in order, as one person's session would.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { buildWeb, launchBrowser, screenshotPath, startParley, type Browser, type Served } from './harness.ts';

let server: Served;
let browser: Browser;
let page: Page;
const dialogs: string[] = []; // alerts a reply's markup managed to raise (must stay empty)

before(async () => {
  buildWeb();
  server = await startParley();
  browser = await launchBrowser();
  page = browser.context.pages()[0] ?? (await browser.context.newPage());
  page.setDefaultTimeout(30_000); // generous: CI runs other suites beside this one on 2 cores
  page.on('dialog', (d) => {
    if (d.type() !== 'confirm') dialogs.push(d.message());
  });
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const api = async (path: string) => {
  const r = await page.request.get(server.url + path);
  assert.equal(r.status(), 200, `${path}: ${await r.text()}`);
  return r.headers()['content-type']?.startsWith('application/json') ? r.json() : r.text();
};
const message = () => page.getByRole('textbox', { name: 'Message' });
const assistants = () => page.getByRole('article', { name: 'Assistant message' });
const lastAssistant = () => assistants().last();

async function setSettings(s: { maxTokens?: number; temperature?: number; theme?: 'light' | 'dark' }) {
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  if (s.maxTokens !== undefined) await dialog.getByRole('spinbutton', { name: 'Max tokens' }).fill(String(s.maxTokens));
  if (s.temperature !== undefined) await dialog.getByRole('slider', { name: 'Temperature' }).fill(String(s.temperature));
  if (s.theme) await dialog.getByRole('combobox', { name: 'Theme' }).selectOption(s.theme);
  await dialog.getByRole('button', { name: 'Done' }).click();
}

async function send(text: string) {
  await message().fill(text);
  await page.getByRole('button', { name: 'Send message' }).click();
}

/** Waits until the last reply is finished (the composer offers Send again and no reply is pending). */
async function settled() {
  await page.locator('article[data-status="pending"]').first().waitFor({ state: 'detached' });
}

async function replyLength(): Promise<number> {
  return (await lastAssistant().locator('.markdown').innerText()).length;
}

async function waitForGrowth(from: number, by = 20) {
  await page.waitForFunction(([n]) => {
    const all = document.querySelectorAll('article[aria-label="Assistant message"] .markdown');
    return (all[all.length - 1]?.textContent ?? '').length >= n;
  }, [from + by]);
}

test('sign up: the first account is the admin and lands in an empty chat', async () => {
  await page.goto(server.url);
  await page.getByRole('button', { name: 'New here? Sign up' }).click();
  await page.getByRole('textbox', { name: 'Username' }).fill('ada');
  await page.getByRole('textbox', { name: 'Password' }).fill('correct horse battery');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'What can I help with?' }).waitFor();
  await page.getByText('ada (admin)').waitFor();
  await page.getByRole('navigation', { name: 'Chats' }).waitFor();
});

test('a reply streams in and renders markdown, highlighted code with a copy button and KaTeX', async () => {
  await setSettings({ maxTokens: server.model.scriptTokens, temperature: 0 });
  await send('Write a code example');
  await page.getByRole('article', { name: 'Your message' }).getByText('Write a code example').waitFor();
  await settled();
  const reply = lastAssistant();
  await reply.locator('strong', { hasText: 'bold' }).waitFor();
  await reply.locator('code:not(.hljs)', { hasText: 'inline' }).waitFor();
  assert.equal((await reply.locator('.code-block code.hljs').innerText()).trim(), 'const answer = 42;');
  assert.ok(await reply.locator('.code-block .hljs-keyword').count(), 'the code is highlighted');
  assert.ok(await reply.locator('.katex').count(), 'the formula is typeset by KaTeX');
  // The reply's <img onerror> is sanitised away by DOMPurify: no handler survives, nothing ran.
  assert.equal(await reply.locator('[onerror]').count(), 0);
  assert.deepEqual(dialogs, []);
  await reply.getByRole('button', { name: 'Copy code' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'const answer = 42;');
  await reply.getByRole('button', { name: 'Copy', exact: true }).click();
  assert.match(await page.evaluate(() => navigator.clipboard.readText()), /^Here is \*\*bold\*\* news/);
  // The conversation is in the sidebar, titled from the first message, and in the URL.
  await page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: 'Write a code example' }).waitFor();
  assert.match(page.url(), /\/c\/[0-9a-f]+$/);
  await page.screenshot({ path: screenshotPath('chat') });
});

test('stop generating ends a long reply; continue picks it up where it stopped', async () => {
  await setSettings({ maxTokens: 1500 });
  await send('Now write a long one');
  await page.getByRole('button', { name: 'Stop generating' }).waitFor();
  const before = await replyLength();
  await waitForGrowth(before, 60);
  await page.getByRole('button', { name: 'Stop generating' }).click();
  await lastAssistant().getByText('Stopped').waitFor();
  await page.getByRole('button', { name: 'Send message' }).waitFor();
  const stoppedAt = await replyLength();
  const conv = page.url().split('/c/')[1];
  const { items } = await api(`/api/conversations/${conv}/messages`);
  const last = items.at(-1);
  assert.equal(last.status, 'stopped');
  assert.ok(last.content.length < 1500 * 2, 'the reply did not run to its token limit');

  await lastAssistant().getByRole('button', { name: 'Continue generating' }).click();
  await page.getByRole('button', { name: 'Stop generating' }).waitFor();
  await waitForGrowth(stoppedAt, 30);
  await page.getByRole('button', { name: 'Stop generating' }).click();
  await settled();
  const continued = (await api(`/api/messages/${last.id}`)).content as string;
  assert.ok(continued.startsWith(last.content) && continued.length > last.content.length, 'continue appended to the same reply');
});

test('a refresh mid-reply re-attaches to the running generation', async () => {
  await send('Another long one please');
  await page.getByRole('button', { name: 'Stop generating' }).waitFor();
  await waitForGrowth(0, 40);
  const seen = await replyLength();
  await page.reload();
  // After the reload the page replays what was generated and follows the rest live.
  await page.getByRole('button', { name: 'Stop generating' }).waitFor();
  await waitForGrowth(seen, 40);
  await page.keyboard.press('Escape'); // the "stop" shortcut
  await settled();
  const conv = page.url().split('/c/')[1];
  const { items } = await api(`/api/conversations/${conv}/messages`);
  const stored = items.at(-1).content as string;
  assert.ok(stored.length > seen, 'the reply kept growing after the reload');
  assert.ok(stored.startsWith('Here is **bold** news'));
  assert.ok((await replyLength()) > seen, 'the page shows more than it had before the reload');
  assert.equal(await page.getByRole('article', { name: 'Your message' }).count(), 3);
});

test('regenerate adds a sibling; "< 2 / 2 >" navigates between them', async () => {
  await setSettings({ maxTokens: server.model.scriptTokens, temperature: 0 });
  await lastAssistant().getByRole('button', { name: 'Regenerate' }).click();
  await settled();
  await lastAssistant().getByText('2 / 2').waitFor();
  await lastAssistant().getByRole('button', { name: 'Previous response' }).click();
  await lastAssistant().getByText('1 / 2').waitFor();
  await lastAssistant().getByText('Stopped').waitFor(); // the first one was stopped after the refresh
  await lastAssistant().getByRole('button', { name: 'Next response' }).click();
  await lastAssistant().getByText('2 / 2').waitFor();
  await lastAssistant().locator('strong', { hasText: 'bold' }).waitFor();
});

test('editing an earlier message resubmits it as a new branch', async () => {
  const users = page.getByRole('article', { name: 'Your message' });
  const first = users.first();
  await first.getByRole('button', { name: 'Edit message' }).click();
  await page.getByRole('textbox', { name: 'Edit message' }).fill('An edited first question');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await settled();
  await users.first().getByText('An edited first question').waitFor();
  assert.equal(await users.count(), 1, 'the new branch holds only the edited message and its reply');
  await users.first().getByText('2 / 2').waitFor();
  await users.first().getByRole('button', { name: 'Previous response' }).click();
  await users.first().getByText('Write a code example').waitFor();
  assert.equal(await users.count(), 3, 'the old branch comes back whole');
  await users.first().getByRole('button', { name: 'Next response' }).click();
  await users.first().getByText('An edited first question').waitFor();
  // The branch on screen is stored: a reload shows the same one.
  await page.reload();
  await page.getByRole('article', { name: 'Your message' }).first().getByText('An edited first question').waitFor();
});

test('thumbs down opens the feedback dialog; reason and comment are stored with the reply', async () => {
  await settled();
  await lastAssistant().getByRole('button', { name: 'Bad response' }).click();
  const dialog = page.getByRole('dialog', { name: 'Provide additional feedback' });
  await dialog.getByLabel("This isn't true").check();
  await dialog.getByRole('textbox', { name: 'Feedback comment' }).fill('Euler never wrote that here');
  await page.screenshot({ path: screenshotPath('feedback-dialog') });
  await dialog.getByRole('button', { name: 'Submit feedback' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await lastAssistant().getByRole('button', { name: 'Bad response' }).getAttribute('aria-pressed'), 'true');
  const conv = page.url().split('/c/')[1];
  const { items } = await api(`/api/conversations/${conv}/messages`);
  const shownId = (await api(`/api/conversations/${conv}`)).currentLeafId;
  const { feedback } = await api(`/api/messages/${shownId}/feedback`);
  assert.deepEqual([feedback.thumb, feedback.category, feedback.comment], ['down', 'untrue', 'Euler never wrote that here']);
  assert.ok(items.some((m: { id: string }) => m.id === shownId));
});

test('a flagged message shows the orange warning, and a mistake can be reported', async () => {
  await page.getByRole('button', { name: 'New chat' }).click();
  await send('I hate you, you are a worthless idiot');
  await settled();
  const notice = page.getByRole('article', { name: 'Your message' }).getByRole('status');
  await notice.getByText(/may violate our usage policies/).waitFor();
  assert.match((await notice.getAttribute('class')) ?? '', /\bwarn\b/);
  await page.screenshot({ path: screenshotPath('filter-warning') });
  await notice.getByRole('button', { name: 'Report a mistake of the filter' }).click();
  // The dialog pre-checks the flags the message got: the reporter unticks the ones that were wrong.
  const dialog = page.getByRole('dialog', { name: 'Report a mistake of the filter' });
  const checked = await dialog.getByRole('checkbox', { checked: true }).evaluateAll((els) => els.map((e) => e.parentElement!.textContent!.trim()));
  assert.ok(checked.length > 0, 'the flagged categories are pre-checked');
  await dialog.getByRole('button', { name: 'Send report' }).click();
  await notice.getByText('Thanks — reported.').waitFor();
  const reports = await api('/api/moderation/reports');
  assert.equal(reports.items[0].kind, 'false_positive');
  assert.match(reports.items[0].text, /worthless idiot/);
  assert.deepEqual(reports.items[0].categories.sort(), checked.sort());
  // The reply was let through: its flag icon reports a false negative, which needs a category first.
  await lastAssistant().getByRole('button', { name: 'Report unsafe content the filter missed' }).click();
  const missed = page.getByRole('dialog', { name: 'Report unsafe content the filter missed' });
  assert.equal(await missed.getByRole('button', { name: 'Send report' }).isDisabled(), true, 'no category picked yet');
  await missed.getByRole('checkbox', { name: 'harassment/threatening' }).check();
  await missed.getByRole('button', { name: 'Send report' }).click();
  await lastAssistant().getByText('Reported').waitFor();
  const both = (await api('/api/moderation/reports')).items;
  assert.deepEqual([both[1].kind, both[1].categories], ['false_negative', ['harassment/threatening']]);
});

test('a blocked prompt is hidden behind a red notice and gets no reply', async () => {
  await page.getByRole('button', { name: 'New chat' }).click();
  await send('Give me step by step instructions to build a pipe bomb to kill people');
  await settled();
  const user = page.getByRole('article', { name: 'Your message' });
  const notice = user.getByRole('status');
  await notice.getByText(/removed by the content filter/).waitFor();
  assert.match((await notice.getAttribute('class')) ?? '', /\bblock\b/);
  assert.equal(await user.getByText('pipe bomb').count(), 0, 'the blocked text is hidden');
  await lastAssistant().getByText(/This prompt was blocked by the content filter/).waitFor();
  assert.equal(await lastAssistant().getByRole('button', { name: 'Report a mistake of the filter' }).count(), 0, 'reported on the prompt only');
  await notice.getByRole('button', { name: 'Show anyway' }).click();
  await user.getByText(/pipe bomb/).waitFor();
  await page.screenshot({ path: screenshotPath('filter-block') });
  await notice.getByRole('button', { name: 'Hide' }).click();
});

test('the sidebar searches, renames and archives conversations', async () => {
  const chats = page.getByRole('navigation', { name: 'Chats' });
  await chats.getByRole('link', { name: 'I hate you, you are a worthless idiot' }).waitFor();
  await page.getByRole('searchbox', { name: 'Search chats' }).fill('edited first');
  await chats.getByRole('link', { name: 'Write a code example' }).waitFor();
  await chats.getByRole('link', { name: /worthless/ }).waitFor({ state: 'detached' });
  await page.getByRole('searchbox', { name: 'Search chats' }).fill('');
  await chats.getByRole('button', { name: 'Options for I hate you, you are a worthless idiot' }).click();
  await page.getByRole('menuitem', { name: 'Rename' }).click();
  await page.getByRole('textbox', { name: 'Chat title' }).fill('Filter check');
  await page.getByRole('textbox', { name: 'Chat title' }).press('Enter');
  await chats.getByRole('link', { name: 'Filter check' }).waitFor();
  await chats.getByRole('button', { name: 'Options for Filter check' }).click();
  await page.getByRole('menuitem', { name: 'Archive' }).click();
  await chats.getByRole('link', { name: 'Filter check' }).waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'Archived chats' }).click();
  await chats.getByRole('link', { name: 'Filter check' }).waitFor();
  page.once('dialog', (d) => void d.accept());
  await chats.getByRole('button', { name: 'Options for Filter check' }).click();
  await page.getByRole('menuitem', { name: 'Delete' }).click();
  await chats.getByRole('link', { name: 'Filter check' }).waitFor({ state: 'detached' });
  await page.getByText('No archived chats.').waitFor();
  await page.getByRole('button', { name: 'Back to chats' }).click();
  await chats.getByRole('link', { name: 'Write a code example' }).waitFor();
});

test('trainer console: a ranking task is sampled, reordered by keyboard and shows up in the export', async () => {
  await setSettings({ maxTokens: 60, temperature: 1 }); // sampled: the replies may end at different points
  await page.getByRole('button', { name: 'Trainer console' }).click();
  await page.getByRole('tab', { name: 'Rank replies' }).click();
  await page.getByRole('spinbutton', { name: 'K' }).fill('3');
  await page.getByRole('button', { name: 'New ranking task' }).click();
  const list = page.getByRole('list', { name: 'Replies, best first' });
  await list.getByRole('listitem').nth(2).waitFor();
  assert.equal(await list.getByRole('listitem').count(), 3);
  // Reply A to the bottom with the keyboard, then C up one with its button: B, C, A.
  await list.getByRole('listitem', { name: 'Reply A, rank 1' }).focus();
  await page.keyboard.press('Alt+ArrowDown');
  await page.keyboard.press('Alt+ArrowDown');
  await list.getByRole('listitem', { name: 'Reply A, rank 3' }).waitFor();
  await list.getByRole('button', { name: 'Move reply C up' }).click();
  await list.getByRole('listitem', { name: 'Reply C, rank 1' }).waitFor();
  // And A dragged onto B's place (neighbours, so both are on screen whatever the replies' lengths): C, A, B.
  await list.getByRole('listitem', { name: 'Reply A, rank 3' }).dragTo(list.getByRole('listitem', { name: 'Reply B, rank 2' }));
  await list.getByRole('listitem', { name: 'Reply A, rank 2' }).waitFor();
  await list.getByRole('listitem', { name: 'Reply B, rank 3' }).waitFor();
  await page.screenshot({ path: screenshotPath('ranking') });
  await page.getByRole('button', { name: 'Submit ranking' }).click();
  await page.getByText('Ranking submitted. Thank you!').waitFor();
  const rows = (await api('/api/export/rankings')).trim().split('\n').map((l: string) => JSON.parse(l));
  assert.equal(rows.length, 1);
  assert.deepEqual(rows[0].ranking, [2, 0, 1]);
  assert.equal(rows[0].completions.length, 3);
  assert.equal(rows[0].prompt.at(-1).role, 'user');
  await page.getByRole('tab', { name: 'Datasets' }).click();
  await page.locator('dd[data-total="rankings"]', { hasText: '1' }).waitFor();
  await page.locator('dd[data-total="pairs.jsonl rows"]', { hasText: '3' }).waitFor();
  await page.screenshot({ path: screenshotPath('datasets') });
});

test('trainer console: a written demonstration lands in the SFT export', async () => {
  await page.getByRole('tab', { name: 'Write a demonstration' }).click();
  await page.getByRole('textbox', { name: 'User turn 1' }).fill('What is 2+2?');
  await page.getByRole('textbox', { name: 'Assistant turn 2' }).fill('2+2 is 4.');
  await page.getByRole('button', { name: 'Save demonstration' }).click();
  await page.getByText('Saved a demonstration of 2 turns.').waitFor();
  const rows = (await api('/api/export/sft')).trim().split('\n').map((l: string) => JSON.parse(l));
  const demo = rows.find((r: { meta: { source: string } }) => r.meta.source === 'demonstration');
  assert.deepEqual(demo.messages, [{ role: 'user', content: 'What is 2+2?' }, { role: 'assistant', content: '2+2 is 4.' }]);
});

test('trainer console: an admin corrects a filter report’s categories, confirms it, and it is exported for the classifier', async () => {
  await page.getByRole('tab', { name: 'Filter reports' }).click();
  const report = page.getByRole('article', { name: /^Report / }).filter({ hasText: 'worthless idiot' });
  await report.waitFor();
  // The reporter kept every flag the message got; the reviewer narrows them down to harassment alone.
  for (const box of await report.getByRole('checkbox', { checked: true }).all()) await box.uncheck();
  await report.getByRole('checkbox', { name: 'harassment', exact: true }).check();
  await report.getByRole('button', { name: 'Confirm' }).click();
  await report.waitFor({ state: 'detached' });
  const missed = page.getByRole('article', { name: /^Report / }).filter({ hasText: 'missed (false negative)' });
  assert.equal(await missed.getByRole('checkbox', { name: 'harassment/threatening' }).isChecked(), true, 'the reporter’s category is shown');
  await missed.getByRole('button', { name: 'Confirm' }).click();
  await page.getByText('No pending reports.').waitFor();
  const rows = (await api('/api/export/moderation-reports')).trim().split('\n').map((l: string) => JSON.parse(l));
  assert.equal(rows.length, 2);
  assert.match(rows[0].text, /worthless idiot/);
  assert.deepEqual([rows[0].kind, rows[0].categories, rows[0].status], ['false_positive', ['harassment'], 'confirmed']);
  assert.deepEqual([rows[1].kind, rows[1].categories, rows[1].status], ['false_negative', ['harassment/threatening'], 'confirmed']);
});

test('runs: model versions with their lineage, curves and metrics', async () => {
  // Recorded as `parley pipeline` records them, in the server's own database.
  const { openStore } = await import('../../src/store/store.ts');
  const store = await openStore({ dataDir: server.dataDir });
  await store.modelVersions.record({ id: 'sft-001', path: 'runs/sft-001', parentId: null, stage: 'sft', metrics: { loss: [2.5, 1.9, 1.4, 1.2], eval_accuracy: 0.61 } });
  await store.modelVersions.record({ id: 'ppo-001', path: 'runs/ppo-001', parentId: 'sft-001', stage: 'ppo', metrics: { reward: [0.1, 0.3, 0.5], kl: [0, 0.02, 0.05], eval_accuracy: 0.68 } });
  await store.close();
  await page.getByRole('button', { name: 'Trainer console' }).click();
  await page.getByRole('tab', { name: 'Runs & models' }).click();
  await page.getByText('sft:sft-001 → ppo:ppo-001').waitFor();
  for (const curve of ['loss', 'reward', 'kl']) await page.getByRole('img', { name: `${curve} curve` }).waitFor();
  await page.getByRole('row', { name: /eval_accuracy 0.6800/ }).waitFor();
  await page.screenshot({ path: screenshotPath('runs') });
});

test('keyboard shortcuts, dark theme and a phone-sized screen', async () => {
  await page.keyboard.press('Control+Shift+O'); // new chat
  await page.getByRole('heading', { name: 'What can I help with?' }).waitFor();
  await page.locator('body').click({ position: { x: 700, y: 300 } });
  await page.keyboard.press('Shift+Escape'); // focus the message box
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Message');
  await setSettings({ theme: 'dark' });
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: 'Write a code example' }).click();
  await settled();
  await page.screenshot({ path: screenshotPath('chat-dark') });
  await page.setViewportSize({ width: 390, height: 780 });
  // The sidebar slides off screen (a short transition) and the chat takes the whole width.
  await page.waitForFunction(() => document.querySelector('aside.sidebar')!.getBoundingClientRect().right <= 0);
  assert.ok(((await page.locator('main').boundingBox())?.width ?? 0) >= 380);
  assert.ok(await message().isVisible());
  await page.screenshot({ path: screenshotPath('phone') });
  await page.getByRole('button', { name: 'Open sidebar' }).click();
  await page.waitForFunction(() => document.querySelector('aside.sidebar')!.getBoundingClientRect().x >= 0);
  await page.screenshot({ path: screenshotPath('phone-sidebar') });
  await page.mouse.click(370, 400); // on the dimmed chat beside the sidebar: it closes
  await page.waitForFunction(() => document.querySelector('aside.sidebar')!.getBoundingClientRect().right <= 0);
});

test('the chat list loads older pages on demand; unknown API paths stay API errors', async () => {
  await page.setViewportSize({ width: 1280, height: 860 });
  const { csrfToken } = await api('/api/auth/me');
  for (let i = 0; i < 31; i++) {
    const r = await page.request.post(`${server.url}/api/conversations`, { data: { title: `bulk ${i}` }, headers: { 'x-csrf-token': csrfToken } });
    assert.equal(r.status(), 201);
  }
  await page.goto(`${server.url}/`);
  const links = page.getByRole('navigation', { name: 'Chats' }).getByRole('link');
  await links.nth(29).waitFor();
  assert.equal(await links.count(), 30, 'one page of 30');
  await page.getByRole('button', { name: 'Load more' }).click();
  await page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: 'Write a code example' }).waitFor();
  assert.ok((await links.count()) > 31);
  const missing = await page.request.get(`${server.url}/api/no-such-route`);
  assert.equal(missing.status(), 404);
  assert.equal((await missing.json()).error.code, 'unknown_route');
  const deepLink = await page.request.get(`${server.url}/c/anything`);
  assert.match(deepLink.headers()['content-type'] ?? '', /text\/html/);
});

test('custom instructions start a new chat as its system message (or say plainly that the server cannot)', async () => {
  await page.getByRole('button', { name: 'Settings' }).click();
  await page.getByRole('textbox', { name: 'Custom instructions' }).fill('Answer briefly.');
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'New chat' }).click();
  await send('Write a code example again');
  await settled();
  const { csrfToken } = await api('/api/auth/me');
  const probe = await page.request.post(`${server.url}/api/conversations/none/instructions`, { data: { content: 'x' }, headers: { 'x-csrf-token': csrfToken } });
  const supported = (await probe.json()).error.code !== 'unknown_route';
  // The app navigates to the new chat only after its first message is stored: wait for that under load.
  await page.waitForURL(/\/c\/[0-9a-f]+$/);
  const conv = page.url().split('/c/')[1];
  const { items } = await api(`/api/conversations/${conv}/messages`);
  if (supported) {
    assert.deepEqual(items.map((m: { role: string }) => m.role), ['system', 'user', 'assistant']);
    assert.equal(items[0].content, 'Answer briefly.');
    await page.getByText('Custom instructions').waitFor();
  } else {
    assert.deepEqual(items.map((m: { role: string }) => m.role), ['user', 'assistant']);
    await page.getByText(/Custom instructions were not applied/).waitFor();
  }
  assert.equal(await page.getByRole('article', { name: 'Your message' }).count(), 1);
});
