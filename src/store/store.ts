// The store: one object holding every repository over one database connection.
import { openDatabase, type Database, type OpenDatabaseOptions } from './db.ts';
import { UserRepo } from './users.ts';
import { ConversationRepo } from './conversations.ts';
import { MessageRepo } from './messages.ts';
import { FeedbackRepo } from './feedback.ts';
import { RankingRepo } from './rankings.ts';
import { DemonstrationRepo } from './demonstrations.ts';
import { ModerationReportRepo } from './moderation-reports.ts';
import { ModelVersionRepo } from './model-versions.ts';

export interface Store {
  database: Database;
  users: UserRepo;
  conversations: ConversationRepo;
  messages: MessageRepo;
  feedback: FeedbackRepo;
  rankings: RankingRepo;
  demonstrations: DemonstrationRepo;
  moderationReports: ModerationReportRepo;
  modelVersions: ModelVersionRepo;
  close(): Promise<void>;
}

export async function openStore(opts: OpenDatabaseOptions = {}): Promise<Store> {
  const database = await openDatabase(opts);
  const db = database.db;
  return {
    database,
    users: new UserRepo(db),
    conversations: new ConversationRepo(db),
    messages: new MessageRepo(db, database.dialect),
    feedback: new FeedbackRepo(db),
    rankings: new RankingRepo(db),
    demonstrations: new DemonstrationRepo(db),
    moderationReports: new ModerationReportRepo(db),
    modelVersions: new ModelVersionRepo(db),
    close: () => database.close(),
  };
}

/** Options from the environment: DATABASE_URL selects PostgreSQL, else SQLite in PARLEY_DATA. */
export function storeOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpenDatabaseOptions {
  return env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : { dataDir: env.PARLEY_DATA || './data' };
}
