// For tests: the database backends every store/server test runs against. SQLite always; PostgreSQL
// when PARLEY_TEST_DATABASE_URL is set, in a fresh schema per test file that is dropped afterwards.
import { randomBytes } from 'node:crypto';
import { openStore, type Store } from './store.ts';

export interface TestBackend {
  name: 'sqlite' | 'postgres';
  open(): Promise<Store>;
}

let warned = false;

export function testBackends(): TestBackend[] {
  const backends: TestBackend[] = [{ name: 'sqlite', open: () => openStore({ sqliteFile: ':memory:' }) }];
  const url = process.env.PARLEY_TEST_DATABASE_URL;
  if (url) {
    backends.push({
      name: 'postgres',
      async open() {
        const schema = `parley_test_${randomBytes(6).toString('hex')}`;
        const store = await openStore({ databaseUrl: url, pgSchema: schema });
        const close = store.close;
        store.close = async () => {
          await close();
          const pg = (await import('pg')).default;
          const client = new pg.Client({ connectionString: url });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
          await client.end();
        };
        return store;
      },
    });
  } else if (!warned) {
    warned = true;
    console.log('# PostgreSQL tests SKIPPED: set PARLEY_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test) to run them');
  }
  return backends;
}
