// The lineage of trained checkpoints (pretrain → sft → reward → ppo ...) and which one is serving.
import type { Kysely } from 'kysely';
import type { DB } from './schema.ts';
import { now } from './ids.ts';
import { clampLimit, decodeCursor, parseJson, toPage, type Page, type PageRequest } from './pagination.ts';

export interface ModelVersion {
  id: string;
  path: string;
  parentId: string | null;
  stage: string;
  metrics: Record<string, unknown> | null;
  serving: boolean;
  createdAt: string;
}

export class ModelVersionRepo {
  constructor(private readonly db: Kysely<DB>) {}

  /** Records a checkpoint (or updates its path/stage/metrics if the id is known). */
  async record(v: { id: string; path: string; parentId: string | null; stage: string; metrics: Record<string, unknown> | null }): Promise<ModelVersion> {
    const metrics = v.metrics ? JSON.stringify(v.metrics) : null;
    await this.db
      .insertInto('model_versions')
      .values({ id: v.id, path: v.path, parent_id: v.parentId, stage: v.stage, metrics, serving: 0, created_at: now() })
      .onConflict((oc) => oc.column('id').doUpdateSet({ path: v.path, parent_id: v.parentId, stage: v.stage, metrics }))
      .execute();
    return (await this.get(v.id))!;
  }

  async get(id: string): Promise<ModelVersion | null> {
    const row = await this.db.selectFrom('model_versions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toVersion(row) : null;
  }

  async list(page: PageRequest = {}): Promise<Page<ModelVersion>> {
    const limit = clampLimit(page.limit);
    let q = this.db.selectFrom('model_versions').selectAll().orderBy('created_at').orderBy('id').limit(limit + 1);
    if (page.cursor) {
      const [c, id] = decodeCursor(page.cursor, 2);
      q = q.where((eb) => eb.or([eb('created_at', '>', c), eb.and([eb('created_at', '=', c), eb('id', '>', id)])]));
    }
    return toPage(await q.execute(), limit, toVersion, (r) => [r.created_at, r.id]);
  }

  /** The version marked as serving, if any. */
  async serving(): Promise<ModelVersion | null> {
    const row = await this.db.selectFrom('model_versions').selectAll().where('serving', '=', 1).executeTakeFirst();
    return row ? toVersion(row) : null;
  }

  /** Marks one version as the one being served (and no other). */
  async setServing(id: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('model_versions').select('id').where('id', '=', id).executeTakeFirst();
      if (!exists) return false;
      await trx.updateTable('model_versions').set({ serving: 0 }).where('serving', '=', 1).execute();
      await trx.updateTable('model_versions').set({ serving: 1 }).where('id', '=', id).execute();
      return true;
    });
  }
}

function toVersion(r: DB['model_versions']): ModelVersion {
  return {
    id: r.id, path: r.path, parentId: r.parent_id, stage: r.stage, metrics: parseJson(r.metrics),
    serving: Number(r.serving) === 1, createdAt: r.created_at,
  };
}
