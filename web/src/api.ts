// The server's /api over fetch: the session cookie travels by itself; every write sends the CSRF token
// the server handed out at sign-in. Errors arrive as {"error":{message,...}} and are thrown as ApiError.

export type Role = 'admin' | 'trainer' | 'user';
export interface User { id: string; username: string; role: Role }
export type Status = 'pending' | 'complete' | 'interrupted' | 'stopped' | 'error';

export interface Moderation {
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
}

export interface Message {
  id: string;
  conversationId: string;
  parentId: string | null;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  status: Status;
  model: string | null;
  moderation: Moderation | null;
  finishReason: string | null;
  error: string | null;
  /** The model's tool calls; `executed` ones the server ran itself (the calculator), with their result. */
  toolCalls?: ToolCall[] | null;
  createdAt: string;
}

export interface ToolCall {
  id: string;
  function: { name: string; arguments: string };
  executed?: { result: string; offset: number };
}

export interface Conversation {
  id: string;
  title: string;
  archived: boolean;
  currentLeafId: string | null;
  model: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Page<T> { items: T[]; nextCursor: string | null }

export type ReportKind = 'false_positive' | 'false_negative';
export type ReportStatus = 'pending' | 'confirmed' | 'rejected';
/** A filter-mistake report; categories: false_negative = should have been flagged, false_positive = wrong flags. */
export interface ModerationReport {
  id: string; userId: string; messageId: string | null; text: string; scores: Record<string, number> | null;
  kind: ReportKind; categories: string[]; status: ReportStatus; reviewerId: string | null; note: string | null;
  createdAt: string; updatedAt: string;
}
export interface ModelInfo { id: string; ownedBy: string; contextLength: number; backend: string }
export interface ChatMessage { role: 'system' | 'user' | 'assistant'; content: string }
export interface Ranking {
  id: string; prompt: ChatMessage[]; completions: string[]; ranking: number[] | null; unusable: boolean;
  model: string | null; createdAt: string; updatedAt: string;
}
export interface Demonstration { id: string; prompt: ChatMessage[]; response: string; createdAt: string }
export interface ModelVersion {
  id: string; path: string; parentId: string | null; stage: string; metrics: Record<string, unknown> | null;
  serving: boolean; createdAt: string;
}
export interface Feedback { thumb: 'up' | 'down' | null; category: string | null; comment: string | null }

/** Sampling in the /v1 field names the server expects. */
export interface Sampling { temperature?: number; max_tokens?: number }

export interface DayCounts {
  day: string; demonstrations: number; rankings: number; unusable: number; thumbsUp: number; thumbsDown: number;
  falsePositives: number; falseNegatives: number;
}

export class ApiError extends Error {
  constructor(readonly status: number, message: string, readonly code: string | null) {
    super(message);
  }
}

/** The server predates a route (it answers "no route"): callers fall back to what older servers offer. */
export function isMissingRoute(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404 && err.code === 'unknown_route';
}

let csrfToken = '';
export function setCsrf(token: string): void {
  csrfToken = token;
}

export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  if (!res.ok) {
    const err = (json as { error?: { message?: string; code?: string } } | null)?.error;
    throw new ApiError(res.status, err?.message ?? `${method} ${path} answered ${res.status}`, err?.code ?? null);
  }
  return json as T;
}

/** Plain text (the JSONL exports). */
export async function requestText(path: string): Promise<string> {
  const res = await fetch(path, { credentials: 'same-origin' });
  if (!res.ok) throw new ApiError(res.status, `${path} answered ${res.status}`, null);
  return res.text();
}

export interface StreamEvent {
  seq: number;
  kind: 'delta' | 'tool_call' | 'done' | 'stopped' | 'error' | 'interrupted';
  text: string;
  error?: string;
  call?: { id: string; function: { name: string; arguments: string } }; // tool_call events
  executed?: { result: string; offset: number };
}

/**
 * Follows a reply's events after `after` until it ends or `signal` aborts. The server replays what
 * was missed first, so this works equally for a fresh reply and for one re-attached after a refresh.
 */
export async function followReply(messageId: string, after: number, signal: AbortSignal, onEvent: (e: StreamEvent) => void): Promise<void> {
  const res = await fetch(`/api/messages/${messageId}/stream?after=${after}`, { signal, credentials: 'same-origin' });
  if (!res.ok || !res.body) throw new ApiError(res.status, `the reply stream answered ${res.status}`, null);
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += decoder.decode(value, { stream: true });
    let i;
    while ((i = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) onEvent(JSON.parse(data.slice(6)) as StreamEvent);
    }
  }
}

export const api = {
  me: () => request<{ user: User; csrfToken: string }>('GET', '/api/auth/me'),
  signUp: (username: string, password: string) => request<{ user: User; csrfToken: string }>('POST', '/api/auth/signup', { username, password }),
  signIn: (username: string, password: string) => request<{ user: User; csrfToken: string }>('POST', '/api/auth/signin', { username, password }),
  signOut: () => request<unknown>('POST', '/api/auth/signout', {}),
  models: () => request<{ default: string | null; data: ModelInfo[] }>('GET', '/api/models'),
  conversations: (q: { search?: string; archived?: boolean; cursor?: string | null }) => {
    const p = new URLSearchParams({ limit: '30' });
    if (q.search) p.set('q', q.search);
    if (q.archived) p.set('archived', 'true');
    if (q.cursor) p.set('cursor', q.cursor);
    return request<Page<Conversation>>('GET', `/api/conversations?${p}`);
  },
  createConversation: (model?: string) => request<Conversation>('POST', '/api/conversations', model ? { model } : {}),
  setInstructions: (id: string, content: string) => request<Message>('POST', `/api/conversations/${id}/instructions`, { content }),
  conversation: (id: string) => request<Conversation>('GET', `/api/conversations/${id}`),
  updateConversation: (id: string, patch: Partial<Pick<Conversation, 'title' | 'archived' | 'currentLeafId'>>) =>
    request<Conversation>('PATCH', `/api/conversations/${id}`, patch),
  deleteConversation: (id: string) => request<unknown>('DELETE', `/api/conversations/${id}`),
  async messages(id: string): Promise<Message[]> {
    const all: Message[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<Message> = await request('GET', `/api/conversations/${id}/messages?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return all;
  },
  message: (id: string) => request<Message>('GET', `/api/messages/${id}`),
  send: (conversationId: string, content: string, parentId: string | null, model: string | undefined, sampling: Sampling) =>
    request<{ userMessage: Message; assistantMessage: Message }>('POST', `/api/conversations/${conversationId}/messages`, { content, parentId, model, sampling }),
  edit: (messageId: string, content: string, model: string | undefined, sampling: Sampling) =>
    request<{ userMessage: Message; assistantMessage: Message }>('POST', `/api/messages/${messageId}/edit`, { content, model, sampling }),
  regenerate: (messageId: string, model: string | undefined, sampling: Sampling) =>
    request<{ assistantMessage: Message }>('POST', `/api/messages/${messageId}/regenerate`, { model, sampling }),
  continueReply: (messageId: string, sampling: Sampling) =>
    request<{ assistantMessage: Message; after: number }>('POST', `/api/messages/${messageId}/continue`, { sampling }),
  stop: (messageId: string) => request<unknown>('POST', `/api/messages/${messageId}/stop`, {}),
  feedback: (messageId: string) => request<{ feedback: Feedback | null }>('GET', `/api/messages/${messageId}/feedback`),
  setFeedback: (messageId: string, f: Feedback) => request<Feedback>('PUT', `/api/messages/${messageId}/feedback`, f),
  report: (r: { kind: ReportKind; messageId: string; categories?: string[]; note?: string }) => request<ModerationReport>('POST', '/api/moderation/reports', r),
  reports: (all: boolean, status?: ReportStatus) =>
    request<Page<ModerationReport>>('GET', `/api/moderation/reports?limit=200${all ? '&all=true' : ''}${status ? `&status=${status}` : ''}`),
  reviewReport: (id: string, change: { status?: ReportStatus; categories?: string[]; note?: string }) =>
    request<ModerationReport>('PATCH', `/api/moderation/reports/${id}`, change),
  createRanking: (messages: ChatMessage[], k: number, sampling: Sampling) => request<Ranking>('POST', '/api/rankings', { messages, k, sampling }),
  rankings: () => request<Page<Ranking>>('GET', '/api/rankings?limit=200'),
  rank: (id: string, ranking: number[] | null, unusable: boolean) => request<Ranking>('PUT', `/api/rankings/${id}`, { ranking, unusable }),
  deleteRanking: (id: string) => request<unknown>('DELETE', `/api/rankings/${id}`),
  createDemonstration: (prompt: ChatMessage[], response: string) => request<Demonstration>('POST', '/api/demonstrations', { prompt, response }),
  demonstrations: () => request<Page<Demonstration>>('GET', '/api/demonstrations?limit=200'),
  exportDataset: (kind: 'sft' | 'rankings' | 'pairs' | 'moderation-reports') => requestText(`/api/export/${kind}`),
  consoleStats: (days: number) => request<{ since: string; days: DayCounts[] }>('GET', `/api/console/stats?days=${days}`),
  rankSource: () => request<{ messageId: string; prompt: ChatMessage[]; reply: string }>('GET', '/api/console/rank-source'),
  suggest: (messages: ChatMessage[], sampling: Sampling) => request<{ content: string }>('POST', '/api/console/suggest', { messages, sampling }),
  setServing: (id: string) => request<ModelVersion>('PUT', `/api/model-versions/${id}/serving`, {}),
  modelVersions: () => request<Page<ModelVersion>>('GET', '/api/model-versions?limit=200'),
};
