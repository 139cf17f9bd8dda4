// How generation events reach clients attached to other requests (and, with Redis, other replicas).
// Events are always written to the store before they are published, so a subscriber that misses a
// publication can read it back; the bus only makes delivery prompt.
import { EventEmitter } from 'node:events';
import type { GenerationEventRow } from '../../store/messages.ts';

/** `stop` a reply wherever it runs; `serving`: an admin chose the serving model version (every replica switches). */
export type ControlMessage = { type: 'stop'; messageId: string } | { type: 'serving'; versionId: string };

export interface GenerationBus {
  publish(messageId: string, event: GenerationEventRow): void;
  /** Returns the unsubscribe function. */
  subscribe(messageId: string, listener: (event: GenerationEventRow) => void): () => void;
  /** Control messages (stop) go to every replica; the one running the generation acts on it. */
  publishControl(message: ControlMessage): void;
  subscribeControl(listener: (message: ControlMessage) => void): () => void;
  close(): Promise<void>;
}

/** One process. A Redis implementation maps publish/subscribe to channels `parley:gen:<id>` and `parley:control`. */
export class InProcessBus implements GenerationBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(0); // many tabs may follow one reply
  }

  publish(messageId: string, event: GenerationEventRow): void {
    this.emitter.emit(`gen:${messageId}`, event);
  }

  subscribe(messageId: string, listener: (event: GenerationEventRow) => void): () => void {
    this.emitter.on(`gen:${messageId}`, listener);
    return () => this.emitter.off(`gen:${messageId}`, listener);
  }

  publishControl(message: ControlMessage): void {
    this.emitter.emit('control', message);
  }

  subscribeControl(listener: (message: ControlMessage) => void): () => void {
    this.emitter.on('control', listener);
    return () => this.emitter.off('control', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}
