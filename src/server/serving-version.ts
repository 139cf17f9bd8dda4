// The store records which checkpoint version serves (an admin picks it); the model registry serves it.
// The server is the go-between, so the providers never import the store.
import type { ModelVersion } from '../store/model-versions.ts';
import type { Store } from '../store/store.ts';
import { UserError } from '../util/errors.ts';
import { ApiError } from './errors.ts';
import type { Models } from './context.ts';

/**
 * Points the registry's serving model at `version`'s checkpoint (loaded as the registry sees fit) and
 * only then records the choice, so the flag never names a checkpoint that cannot be served.
 * 409 when no local model is configured, 400 when the version's path is not a checkpoint.
 */
export async function switchServingVersion(store: Store, models: Models, version: ModelVersion): Promise<Promise<void>> {
  if (!models.servingModelId) {
    throw new ApiError(409, 'no local model is configured, so no checkpoint version can serve: set PARLEY_MODEL_DIR or add a local model to models.json', 'no_local_model');
  }
  let ready: Promise<void>;
  try {
    ({ ready } = await models.serveCheckpoint(version.path));
  } catch (err) {
    if (err instanceof UserError) throw new ApiError(400, `model version "${version.id}" (${version.path}): ${err.message}`, 'invalid_checkpoint');
    throw err;
  }
  await store.modelVersions.setServing(version.id);
  return ready;
}

/** A replica hears that `versionId` now serves (over the bus): it serves it too, if it can. */
export async function followServingVersion(store: Store, models: Models, versionId: string): Promise<void> {
  if (!models.servingModelId) return;
  const version = await store.modelVersions.get(versionId).catch(() => null);
  if (!version) return;
  await models.serveCheckpoint(version.path).catch((err: Error) => {
    console.error(`cannot serve model version "${versionId}" (${version.path}) on this replica: ${err.message}`);
  });
}

/** At start-up: serve the version the store marks as serving, if any. Returns a line to print. */
export async function applyServingVersion(store: Store, models: Models): Promise<string | null> {
  const version = await store.modelVersions.serving();
  if (!version) return null;
  if (!models.servingModelId) return `model version "${version.id}" is marked serving, but no local model is configured to serve it`;
  try {
    const { info } = await models.serveCheckpoint(version.path);
    return `model "${info.id}" serves version "${version.id}" (${version.path})`;
  } catch (err) {
    return `model version "${version.id}" is marked serving but cannot be served (${(err as Error).message}); the configured checkpoint serves`;
  }
}
