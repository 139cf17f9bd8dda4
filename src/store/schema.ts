// Table shapes as Kysely sees them. Portable across SQLite and PostgreSQL, so:
// ids are sortable text (see ids.ts), timestamps are ISO-8601 text (sort lexically = chronologically),
// booleans are integers 0/1, and structured fields are JSON text parsed by the repositories.


export type Role = 'admin' | 'trainer' | 'user';
export type MessageStatus = 'pending' | 'complete' | 'interrupted' | 'stopped' | 'error';

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  role: Role;
  created_at: string;
}

export interface SessionsTable {
  id: string; // sha256 of the cookie token; the token itself is never stored
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  key_hash: string; // sha256 of the key
  prefix: string; // first characters, shown in the app to tell keys apart
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface ConversationsTable {
  id: string;
  user_id: string;
  title: string;
  archived: number;
  current_leaf_id: string | null;
  share_token: string | null;
  model: string | null;
  created_at: string;
  updated_at: string;
}

export interface MessagesTable {
  id: string;
  conversation_id: string;
  parent_id: string | null;
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string;
  status: MessageStatus;
  model: string | null;
  sampling: string | null; // JSON SamplingOptions
  tool_calls: string | null; // JSON ToolCall[]
  tool_call_id: string | null;
  moderation: string | null; // JSON OpenAI-shaped moderation result
  finish_reason: string | null;
  error: string | null;
  usage: string | null; // JSON {promptTokens, completionTokens}
  heartbeat_at: string | null; // last sign of life of the generation writing this pending reply
  created_at: string;
  updated_at: string;
}

export interface GenerationEventsTable {
  message_id: string;
  seq: number; // 1, 2, 3 ... per message; a client resumes "after N"
  kind: 'delta' | 'tool_call' | 'done' | 'error' | 'stopped' | 'interrupted';
  text: string; // the delta for kind=delta, '' otherwise
  data: string | null; // JSON details for other kinds
  created_at: string;
}

export interface FeedbackTable {
  id: string;
  message_id: string;
  user_id: string;
  thumb: 'up' | 'down' | null;
  category: string | null;
  comment: string | null;
  model: string | null;
  sampling: string | null;
  created_at: string;
  updated_at: string;
}

export interface RankingsTable {
  id: string;
  user_id: string;
  prompt: string; // JSON ChatMessage[]
  completions: string; // JSON string[]
  ranking: string | null; // JSON number[] best first
  unusable: number;
  model: string | null;
  sampling: string | null;
  created_at: string;
  updated_at: string;
}

export interface DemonstrationsTable {
  id: string;
  user_id: string;
  prompt: string; // JSON ChatMessage[]
  response: string;
  conversation_id: string | null;
  created_at: string;
}

export interface ModerationReportsTable {
  id: string;
  user_id: string;
  message_id: string | null;
  text: string;
  scores: string | null; // JSON {category: score}
  kind: 'false_positive' | 'false_negative';
  categories: string | null; // JSON Category[] (src/moderation/taxonomy.ts); null in rows filed before 0003
  status: 'pending' | 'confirmed' | 'rejected';
  reviewer_id: string | null;
  note: string | null;
  created_at: string;
  updated_at: string;
}

export interface ModelVersionsTable {
  id: string;
  path: string;
  parent_id: string | null;
  stage: string;
  metrics: string | null; // JSON
  serving: number;
  created_at: string;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  conversations: ConversationsTable;
  messages: MessagesTable;
  generation_events: GenerationEventsTable;
  feedback: FeedbackTable;
  rankings: RankingsTable;
  demonstrations: DemonstrationsTable;
  moderation_reports: ModerationReportsTable;
  model_versions: ModelVersionsTable;
}

