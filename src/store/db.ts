// Opens the database: SQLite (WAL) at $PARLEY_DATA/parley.db by default, PostgreSQL when a URL is given.
// Runs pending migrations before returning, so callers always see the current schema.
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DB } from './schema.ts';
import { migrations } from './migrations.ts';

export type Dialect = 'sqlite' | 'postgres';

export interface OpenDatabaseOptions {
  /** postgres://... — when set, PostgreSQL is used instead of SQLite. */
  databaseUrl?: string;
  /** Folder for parley.db when SQLite is used (default ./data). */
  dataDir?: string;
  /** Explicit SQLite file (":memory:" for tests). Overrides dataDir. */
  sqliteFile?: string;
  /** PostgreSQL schema to use (created if missing); tests use a fresh one per run. */
  pgSchema?: string;
}

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  close(): Promise<void>;
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  let db: Kysely<DB>;
  let dialect: Dialect;
  if (opts.databaseUrl) {
    dialect = 'postgres';
    const pg = (await import('pg')).default;
    if (opts.pgSchema && !/^[a-z_][a-z0-9_]*$/.test(opts.pgSchema)) {
      throw new Error(`invalid PostgreSQL schema name ${JSON.stringify(opts.pgSchema)}`);
    }
    if (opts.pgSchema) {
      const client = new pg.Client({ connectionString: opts.databaseUrl });
      await client.connect();
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${opts.pgSchema}`);
      } finally {
        await client.end();
      }
    }
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
    });
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  } else {
    dialect = 'sqlite';
    const Sqlite = (await import('better-sqlite3')).default;
    const file = opts.sqliteFile ?? join(opts.dataDir ?? './data', 'parley.db');
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    const sqlite = new Sqlite(file);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL'); // durable at checkpoints; WAL keeps the file consistent on crash
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  // Name the schema of Kysely's own bookkeeping tables explicitly: left implicit, Kysely looks for
  // them in every schema and may find another schema's (e.g. a parallel test run's).
  const migrator = new Migrator({
    db,
    provider: migrations,
    ...(dialect === 'postgres' && opts.pgSchema ? { migrationTableSchema: opts.pgSchema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${(error as Error).message ?? error}`);
  }
  return { db, dialect, close: () => db.destroy() };
}
