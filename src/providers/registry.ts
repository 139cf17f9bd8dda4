// The models Parley serves, configured in one file ($PARLEY_DATA/models.json or PARLEY_MODELS_FILE)
// and/or by environment variables (see README.md here). Listing is cheap (config.json / GGUF header
// only); a model's weights, workers or connections are loaded on its first request.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors.ts';
import { ProviderError, type ChatProvider, type ModelInfo } from './types.ts';
import { DEFAULT_KV_CACHE_MB, servedContext } from './kv-budget.ts';
import { trackInUse, type InUse } from './in-use.ts';

const modelId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][\w.:/@+-]*$/, 'letters, digits and . _ : / @ + - only');
const common = {
  id: modelId,
  contextLength: z.number().int().positive().optional(), // overrides what the model says
};
const localEntry = z.strictObject({
  ...common,
  backend: z.literal('local'),
  path: z.string().min(1), // a checkpoint directory (ours or HF Llama-family)
  batchSize: z.number().int().min(1).max(256).optional(), // sequences decoded together
  queueSize: z.number().int().min(0).max(100000).optional(), // requests waiting beyond the batch
});
const ggufEntry = z.strictObject({
  ...common,
  backend: z.literal('gguf'),
  path: z.string().min(1),
  gpuLayers: z.union([z.number().int().min(0), z.literal('auto')]).optional(),
  threads: z.number().int().min(1).optional(),
});
const openaiEntry = z.strictObject({
  ...common,
  backend: z.literal('openai'),
  baseUrl: z.url({ protocol: /^https?$/ }),
  apiKey: z.string().optional(),
  apiKeyEnv: z.string().optional(), // read the key from this environment variable instead
  upstreamModel: z.string().min(1).optional(),
  ownedBy: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export const modelEntrySchema = z.discriminatedUnion('backend', [localEntry, ggufEntry, openaiEntry]);
export const modelsFileSchema = z.strictObject({
  default: modelId.optional(),
  models: z.array(modelEntrySchema),
});

export type ModelEntry = z.infer<typeof modelEntrySchema>;
export type LocalModelEntry = z.infer<typeof localEntry>;
export type GgufModelEntry = z.infer<typeof ggufEntry>;
export type OpenAIModelEntry = z.infer<typeof openaiEntry>;

type Env = Record<string, string | undefined>;
interface Slot {
  entry?: ModelEntry;
  info: ModelInfo;
  provider?: Promise<InUse>;
  /** A checkpoint being loaded to replace the current one (see serveCheckpoint). */
  switching?: Promise<InUse>;
  switchingTo?: string;
}

/** Builds a model's provider (the backends' loaders; tests give a slower or counting one). */
export type ProviderLoader = (entry: ModelEntry, env: Env, info: ModelInfo) => Promise<ChatProvider>;

export class ModelRegistry {
  private readonly slots = new Map<string, Slot>();
  /** Things a person should know (e.g. no trained model installed); the server prints them at startup. */
  readonly notices: string[] = [];
  private defaultId: string | undefined;

  private constructor(
    private readonly env: Env,
    private readonly cwd = process.cwd(),
    private readonly load: ProviderLoader = loadProvider,
  ) {}

  /** Reads the models file and the environment. */
  static async fromEnvironment(env: Env = process.env, cwd = process.cwd(), load: ProviderLoader = loadProvider): Promise<ModelRegistry> {
    const reg = new ModelRegistry(env, cwd, load);
    const explicitFile = env.PARLEY_MODELS_FILE;
    const file = explicitFile ? resolve(cwd, explicitFile) : join(resolve(cwd, env.PARLEY_DATA || './data'), 'models.json');
    const entries: ModelEntry[] = [];
    if (explicitFile || existsSync(file)) {
      const parsed = readModelsFile(file);
      entries.push(...parsed.models);
      reg.defaultId = parsed.default;
    }
    entries.push(...entriesFromEnv(env, cwd, reg.notices));
    for (const entry of entries) await reg.add(entry);
    const wanted = env.PARLEY_DEFAULT_MODEL || reg.defaultId;
    if (wanted && !reg.slots.has(wanted)) throw new UserError(`default model "${wanted}" is not among the configured models`);
    reg.defaultId = wanted ?? reg.slots.keys().next().value;
    return reg;
  }

  /** A registry over providers built elsewhere (tests, embedding Parley in another program). */
  static withProviders(providers: ChatProvider[]): ModelRegistry {
    const reg = new ModelRegistry({});
    for (const p of providers) {
      if (reg.slots.has(p.info.id)) throw new UserError(`two models are named "${p.info.id}"`);
      reg.slots.set(p.info.id, { info: p.info, provider: Promise.resolve(trackInUse(p)) });
    }
    reg.defaultId = providers[0]?.info.id;
    return reg;
  }

  /** Validates and adds one entry, reading just enough of the model to describe it. */
  async add(raw: unknown): Promise<ModelInfo> {
    const result = modelEntrySchema.safeParse(raw);
    if (!result.success) throw new UserError(`invalid model entry: ${formatIssues(result.error)}`);
    const entry = result.data;
    if (this.slots.has(entry.id)) throw new UserError(`two models are named "${entry.id}"; ids must be unique`);
    const info = await describe(entry, this.env);
    this.slots.set(entry.id, { entry, info });
    return info;
  }

  /** Every configured model, for GET /v1/models. */
  list(): ModelInfo[] {
    return [...this.slots.values()].map((s) => s.info);
  }

  info(id: string): ModelInfo | undefined {
    return this.slots.get(id)?.info;
  }

  /** The model used when a request does not name one (the web app's initial choice). */
  get defaultModelId(): string | undefined {
    return this.defaultId;
  }

  /**
   * The local model whose checkpoint follows the store's serving version: the default model when it
   * is local, else the first local model.
   */
  get servingModelId(): string | undefined {
    const local = [...this.slots.entries()].filter(([, s]) => s.entry?.backend === 'local').map(([id]) => id);
    return this.defaultId && local.includes(this.defaultId) ? this.defaultId : local[0];
  }

  /**
   * Serves the checkpoint directory `path` under the serving model's id (servingModelId). The
   * checkpoint is checked now; it is loaded on the model's next request if the model is not loaded
   * yet, else in the background while the old one keeps answering. Then new requests get the new one
   * and the old one is closed when its running replies end. `ready` settles when the swap is done (or
   * the load failed: the old checkpoint then stays).
   */
  async serveCheckpoint(path: string): Promise<{ info: ModelInfo; ready: Promise<void> }> {
    const id = this.servingModelId;
    if (!id) throw new UserError('no local model is configured to serve a checkpoint version: set PARLEY_MODEL_DIR or add a local model to models.json');
    const slot = this.slots.get(id)!;
    const entry = { ...(slot.entry as LocalModelEntry), path: resolve(this.cwd, path) };
    const current = slot.entry as LocalModelEntry;
    // Already served: nothing to load (a switch elsewhere still loading is called off; it closes when loaded).
    if (current.path === entry.path) {
      slot.switching = undefined;
      return { info: slot.info, ready: Promise.resolve() };
    }
    // The switch to it is already loading.
    if (slot.switching && slot.switchingTo === entry.path) return { info: slot.info, ready: slot.switching.then(() => {}, () => {}) };
    const info = await describe(entry, this.env);
    if (!slot.provider) {
      slot.entry = entry;
      slot.info = info;
      slot.switching = undefined;
      return { info, ready: Promise.resolve() };
    }
    const loading = this.load(entry, this.env, info).then(trackInUse);
    slot.switching = loading;
    slot.switchingTo = entry.path;
    const ready = loading.then(
      async (next) => {
        if (slot.switching !== loading) return void (await next.provider.close()); // a later switch won
        const old = slot.provider;
        slot.entry = entry;
        slot.info = info;
        slot.provider = loading;
        slot.switching = undefined;
        void old?.then((o) => o.retire(), () => {});
      },
      (err) => {
        if (slot.switching === loading) slot.switching = undefined;
        console.error(`model "${id}": cannot load ${entry.path}; the previous checkpoint keeps serving:`, err);
      },
    );
    return { info, ready };
  }

  /** The provider for a model id, loading it on first use. Unknown ids → ProviderError 404. */
  get(id: string): Promise<ChatProvider> {
    const slot = this.slots.get(id);
    if (!slot) {
      const known = [...this.slots.keys()].join(', ') || '(none configured)';
      return Promise.reject(new ProviderError(`The model "${id}" does not exist. Available: ${known}`, 404, 'model_not_found'));
    }
    if (!slot.provider) {
      const loading = this.load(slot.entry!, this.env, slot.info).then(trackInUse);
      slot.provider = loading;
      // A failed load (missing file, bad weights) is retried on the next request rather than cached.
      loading.catch(() => {
        if (slot.provider === loading) slot.provider = undefined;
      });
    }
    return slot.provider.then((p) => p.provider);
  }

  async close(): Promise<void> {
    const loaded = [...this.slots.values()].flatMap((s) => [s.provider, s.switching]).filter((p): p is Promise<InUse> => !!p);
    await Promise.allSettled(loaded.map(async (p) => (await p).provider.close()));
  }
}

function readModelsFile(file: string): z.infer<typeof modelsFileSchema> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read models file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`models file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  const result = modelsFileSchema.safeParse(json);
  if (!result.success) throw new UserError(`models file ${file}: ${formatIssues(result.error)}`);
  // Paths in the file are relative to the file, so a data directory can be moved as a whole.
  for (const m of result.data.models) {
    if ((m.backend === 'local' || m.backend === 'gguf') && !isAbsolute(m.path)) m.path = resolve(dirname(file), m.path);
  }
  return result.data;
}

/** The local checkpoint served by default: PARLEY_MODEL_DIR, else the shipped models/default. */
export function localModelDirFromEnv(env: Env = process.env, cwd = process.cwd()): string {
  return resolve(cwd, env.PARLEY_MODEL_DIR || 'models/default');
}

function entriesFromEnv(env: Env, cwd: string, notices: string[]): ModelEntry[] {
  const out: ModelEntry[] = [];
  const explicitDir = env.PARLEY_MODEL_DIR;
  const dir = localModelDirFromEnv(env, cwd);
  if (existsSync(join(dir, 'config.json'))) {
    out.push({ backend: 'local', id: env.PARLEY_MODEL_ID || localModelId(dir), path: dir, ...localLimits(env) });
  } else if (explicitDir) {
    throw new UserError(`PARLEY_MODEL_DIR=${explicitDir}: ${dir} has no config.json (not a checkpoint directory)`);
  } else {
    notices.push(
      `No trained model is installed (${dir} has no config.json). Run \`parley pipeline\` to train one, ` +
        'or configure a model in models.json or by environment (see src/providers/README.md).',
    );
  }
  if (env.PARLEY_GGUF) {
    const path = resolve(cwd, env.PARLEY_GGUF);
    out.push({ backend: 'gguf', id: env.PARLEY_GGUF_ID || basename(path).replace(/\.gguf$/i, ''), path });
  }
  const baseUrl = env.PARLEY_OPENAI_BASE_URL;
  if (baseUrl) {
    const names = (env.PARLEY_OPENAI_MODELS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    if (names.length === 0) {
      throw new UserError('PARLEY_OPENAI_BASE_URL is set but PARLEY_OPENAI_MODELS is empty: list the upstream models to serve, e.g. PARLEY_OPENAI_MODELS=llama3.2,qwen2.5');
    }
    for (const name of names) {
      // "ours=theirs" serves the upstream model "theirs" under the name "ours".
      const [id, upstream] = name.includes('=') ? name.split('=', 2).map((s) => s.trim()) : [name, name];
      out.push({ backend: 'openai', id, baseUrl, upstreamModel: upstream, ...(env.PARLEY_OPENAI_API_KEY ? { apiKey: env.PARLEY_OPENAI_API_KEY } : {}) });
    }
  } else if (env.PARLEY_OPENAI_MODELS || env.PARLEY_OPENAI_API_KEY) {
    throw new UserError('PARLEY_OPENAI_MODELS / PARLEY_OPENAI_API_KEY need PARLEY_OPENAI_BASE_URL (e.g. http://localhost:11434/v1)');
  }
  return out;
}

function positiveEnv(env: Env, key: string): number | undefined {
  const v = env[key];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new UserError(`${key}=${v} must be a whole number ≥ 1`);
  return n;
}

function localLimits(env: Env): { batchSize?: number; queueSize?: number; contextLength?: number } {
  const out: { batchSize?: number; queueSize?: number; contextLength?: number } = {};
  const ctx = positiveEnv(env, 'PARLEY_CONTEXT_LENGTH');
  if (ctx !== undefined) out.contextLength = ctx;
  for (const [key, field] of [['PARLEY_BATCH_SIZE', 'batchSize'], ['PARLEY_QUEUE_SIZE', 'queueSize']] as const) {
    const v = env[key];
    if (v === undefined || v === '') continue;
    const n = Number(v);
    if (!Number.isInteger(n) || n < (field === 'batchSize' ? 1 : 0)) throw new UserError(`${key}=${v} must be a whole number${field === 'batchSize' ? ' ≥ 1' : ' ≥ 0'}`);
    out[field] = n;
  }
  return out;
}

/** A local checkpoint's name: parley.json's `name`, else "parley-<directory name>". */
function localModelId(dir: string): string {
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'parley.json'), 'utf8')) as { name?: unknown };
    if (typeof meta.name === 'string' && modelId.safeParse(meta.name).success) return meta.name;
  } catch {
    // no provenance file: fall back to the directory name
  }
  return `parley-${basename(dir)}`;
}

async function describe(entry: ModelEntry, env: Env): Promise<ModelInfo> {
  if (entry.backend === 'openai') {
    return { id: entry.id, ownedBy: entry.ownedBy ?? new URL(entry.baseUrl).host, contextLength: entry.contextLength ?? 0, backend: 'openai' };
  }
  if (entry.backend === 'local') {
    const file = join(entry.path, 'config.json');
    let hf: Record<string, unknown>;
    try {
      hf = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new UserError(`model "${entry.id}": cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    // A reward or value model (scalar head, saved as HF's sequence-classification architecture) scores
    // replies; it cannot write them, so it must never be configured or switched in as a chat model.
    const archs = Array.isArray(hf.architectures) ? hf.architectures : [];
    if (archs.includes('LlamaForSequenceClassification')) {
      throw new UserError(`model "${entry.id}": ${entry.path} is a reward/value model (LlamaForSequenceClassification, a scalar head), not a chat model`);
    }
    const ctx = hf.max_position_embeddings;
    const wanted = entry.contextLength ?? (typeof ctx === 'number' ? ctx : 2048);
    const budget = positiveEnv(env, 'PARLEY_KV_CACHE_MB') ?? DEFAULT_KV_CACHE_MB;
    const served = servedContext(hf, wanted, entry.batchSize ?? 8, budget);
    if (served < Math.min(wanted, 256)) {
      throw new UserError(
        `model "${entry.id}": a batch of ${entry.batchSize ?? 8} sequences leaves room for only ${served} tokens each in ` +
          `PARLEY_KV_CACHE_MB=${budget}; raise PARLEY_KV_CACHE_MB or lower the batch size (PARLEY_BATCH_SIZE / batchSize)`,
      );
    }
    return { id: entry.id, ownedBy: 'parley', contextLength: served, backend: 'local' };
  }
  const { readGgufHeaderFile, metaNumber } = await import('./gguf-reader.ts');
  const header = await readGgufHeaderFile(entry.path);
  const arch = header.metadata.get('general.architecture');
  const ctx = metaNumber(header, `${String(arch)}.context_length`);
  return { id: entry.id, ownedBy: 'gguf', contextLength: entry.contextLength ?? ctx ?? 0, backend: 'gguf' };
}

async function loadProvider(entry: ModelEntry, env: Env, info: ModelInfo): Promise<ChatProvider> {
  if (entry.backend === 'openai') {
    const { OpenAICompatibleProvider } = await import('./openai-compatible.ts');
    const apiKey = entry.apiKeyEnv ? env[entry.apiKeyEnv] : entry.apiKey;
    if (entry.apiKeyEnv && !apiKey) throw new UserError(`model "${entry.id}": environment variable ${entry.apiKeyEnv} (its API key) is not set`);
    return new OpenAICompatibleProvider({ ...entry, apiKey });
  }
  if (entry.backend === 'gguf') {
    const { GgufProvider } = await import('./gguf.ts');
    return GgufProvider.load(entry);
  }
  const { LocalProvider } = await import('./local.ts');
  return LocalProvider.load({ ...entry, contextLength: info.contextLength });
}

function formatIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('; ');
}
