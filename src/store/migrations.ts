// Schema migrations, in order. Written with Kysely's schema builder only, so each runs unchanged on
// SQLite and PostgreSQL. Never edit a migration that has shipped: add the next one.
import type { Kysely, Migration, MigrationProvider } from 'kysely';

const init: Migration = {
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('csrf_token', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('key_hash', 'text', (c) => c.notNull().unique())
      .addColumn('prefix', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('last_used_at', 'text')
      .addColumn('revoked_at', 'text')
      .execute();
    await db.schema.createIndex('api_keys_user').on('api_keys').columns(['user_id', 'id']).execute();

    await db.schema
      .createTable('conversations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('title', 'text', (c) => c.notNull())
      .addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('current_leaf_id', 'text')
      .addColumn('share_token', 'text', (c) => c.unique())
      .addColumn('model', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // The conversation list: one user's, archived or not, newest first, keyset-paginated.
    await db.schema
      .createIndex('conversations_list')
      .on('conversations')
      .columns(['user_id', 'archived', 'updated_at', 'id'])
      .execute();

    await db.schema
      .createTable('messages')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('conversation_id', 'text', (c) => c.notNull().references('conversations.id').onDelete('cascade'))
      .addColumn('parent_id', 'text')
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('content', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('model', 'text')
      .addColumn('sampling', 'text')
      .addColumn('tool_calls', 'text')
      .addColumn('tool_call_id', 'text')
      .addColumn('moderation', 'text')
      .addColumn('finish_reason', 'text')
      .addColumn('error', 'text')
      .addColumn('usage', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // A 1,000-message conversation loads by one range scan of this index.
    await db.schema.createIndex('messages_conversation').on('messages').columns(['conversation_id', 'id']).execute();
    await db.schema.createIndex('messages_parent').on('messages').column('parent_id').execute();
    await db.schema.createIndex('messages_status').on('messages').column('status').execute();

    await db.schema
      .createTable('generation_events')
      .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('data', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('generation_events_pk', ['message_id', 'seq'])
      .execute();

    await db.schema
      .createTable('feedback')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('thumb', 'text')
      .addColumn('category', 'text')
      .addColumn('comment', 'text')
      .addColumn('model', 'text')
      .addColumn('sampling', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .addUniqueConstraint('feedback_one_per_user', ['message_id', 'user_id'])
      .execute();
    await db.schema.createIndex('feedback_thumb').on('feedback').columns(['thumb', 'id']).execute();

    await db.schema
      .createTable('rankings')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('prompt', 'text', (c) => c.notNull())
      .addColumn('completions', 'text', (c) => c.notNull())
      .addColumn('ranking', 'text')
      .addColumn('unusable', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('model', 'text')
      .addColumn('sampling', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('rankings_user').on('rankings').columns(['user_id', 'id']).execute();

    await db.schema
      .createTable('demonstrations')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('prompt', 'text', (c) => c.notNull())
      .addColumn('response', 'text', (c) => c.notNull())
      .addColumn('conversation_id', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('demonstrations_user').on('demonstrations').columns(['user_id', 'id']).execute();

    await db.schema
      .createTable('moderation_reports')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('message_id', 'text')
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('scores', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('reviewer_id', 'text')
      .addColumn('note', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('moderation_reports_status').on('moderation_reports').columns(['status', 'id']).execute();
    await db.schema.createIndex('moderation_reports_user').on('moderation_reports').columns(['user_id', 'id']).execute();

    await db.schema
      .createTable('model_versions')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('path', 'text', (c) => c.notNull())
      .addColumn('parent_id', 'text')
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('metrics', 'text')
      .addColumn('serving', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    for (const t of [
      'model_versions', 'moderation_reports', 'demonstrations', 'rankings', 'feedback',
      'generation_events', 'messages', 'conversations', 'api_keys', 'sessions', 'users',
    ]) {
      await db.schema.dropTable(t).execute();
    }
  },
};

// Replies being generated say they are alive, so with several replicas a reply is marked interrupted
// only when the replica generating it has stopped beating, not whenever some replica restarts.
const heartbeat: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('messages').addColumn('heartbeat_at', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('messages').dropColumn('heartbeat_at').execute();
  },
};

// A filter-mistake report names its categories (a false negative: what should have been flagged; a
// false positive: which flags were wrong), so a confirmed report can become a labelled training example.
const reportCategories: Migration = {
  async up(db: Kysely<any>) {
    await db.schema.alterTable('moderation_reports').addColumn('categories', 'text').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.alterTable('moderation_reports').dropColumn('categories').execute();
  },
};

export const migrations: MigrationProvider = {
  async getMigrations() {
    return { '0001_init': init, '0002_heartbeat': heartbeat, '0003_report_categories': reportCategories };
  },
};
