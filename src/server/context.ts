// Everything a route needs, built once by app.ts and passed to each route module.
import type { ModelRegistry } from '../providers/registry.ts';
import type { Store } from '../store/store.ts';
import type { Auth } from './auth.ts';
import type { ServerConfig } from './config.ts';
import type { GenerationManager } from './generation/manager.ts';
import type { GenerationBus } from './generation/bus.ts';
import type { Limits } from './limits.ts';
import type { Metrics } from './metrics.ts';
import type { Moderator } from './moderation.ts';

/** The part of the provider registry the server uses. */
export type Models = Pick<ModelRegistry, 'list' | 'info' | 'get' | 'defaultModelId' | 'servingModelId' | 'serveCheckpoint'>;

export interface ServerContext {
  store: Store;
  models: Models;
  moderator: Moderator | null;
  config: ServerConfig;
  auth: Auth;
  limits: Limits;
  metrics: Metrics;
  generations: GenerationManager;
  /** Generation events and control messages, shared with the other replicas when Redis is configured. */
  bus: GenerationBus;
  startedAt: number;
}
