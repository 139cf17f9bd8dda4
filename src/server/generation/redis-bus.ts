// The generation bus over Redis pub/sub, for several server replicas: events of a reply are published
// on `parley:gen:<message id>`, stop requests on `parley:control`. Publications are best-effort;
// followers fill any gap from the store (events are stored before they are published).
import type { Redis } from 'ioredis';
import { connectRedis } from '../redis-connect.ts';
import type { GenerationEventRow } from '../../store/messages.ts';
import type { ControlMessage, GenerationBus } from './bus.ts';

const CONTROL = 'parley:control';
const channelOf = (messageId: string) => `parley:gen:${messageId}`;

export class RedisBus implements GenerationBus {
  private readonly listeners = new Map<string, Set<(e: GenerationEventRow) => void>>();
  private readonly controlListeners = new Set<(m: ControlMessage) => void>();

  private constructor(private readonly pub: Redis, private readonly sub: Redis) {
    sub.on('message', (channel: string, text: string) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return; // not ours
      }
      if (channel === CONTROL) for (const l of this.controlListeners) l(value as ControlMessage);
      else for (const l of this.listeners.get(channel) ?? []) l(value as GenerationEventRow);
    });
  }

  static async connect(url: string): Promise<RedisBus> {
    const pub = await connectRedis(url);
    const sub = await connectRedis(url).catch(async (err) => {
      pub.disconnect();
      throw err;
    });
    await sub.subscribe(CONTROL);
    return new RedisBus(pub, sub);
  }

  publish(messageId: string, event: GenerationEventRow): void {
    this.pub.publish(channelOf(messageId), JSON.stringify(event)).catch(() => {});
  }

  subscribe(messageId: string, listener: (event: GenerationEventRow) => void): () => void {
    const channel = channelOf(messageId);
    let set = this.listeners.get(channel);
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
      this.sub.subscribe(channel).catch(() => {});
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(channel) === set) {
        this.listeners.delete(channel);
        this.sub.unsubscribe(channel).catch(() => {});
      }
    };
  }

  publishControl(message: ControlMessage): void {
    this.pub.publish(CONTROL, JSON.stringify(message)).catch(() => {});
  }

  subscribeControl(listener: (message: ControlMessage) => void): () => void {
    this.controlListeners.add(listener);
    return () => this.controlListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.controlListeners.clear();
    await Promise.allSettled([this.sub.quit(), this.pub.quit()]);
  }
}
