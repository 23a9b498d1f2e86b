import { AppError } from '@stockpulse/core';

/** What stops watching one resource. */
export type StopWatching = () => void;

/**
 * The resources one MCP session subscribed to (`resources/subscribe`), each with what stops watching
 * it. A change sends `notifications/resources/updated` for that URI; changes signalled in the same
 * tick are coalesced, so a batch write touching one resource many times sends one notification.
 * Closing (session end) stops every watch.
 */
export class ResourceSubscriptions {
  private readonly active = new Map<string, StopWatching>();
  private readonly due = new Set<string>();
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly notify: (uri: string) => Promise<void>,
    private readonly onNotifyError: (err: unknown, uri: string) => void = () => {},
    readonly limit = 1000,
  ) {}

  /**
   * Subscribe to `uri`: `watch` starts watching and is told whom to call on a change. Subscribing
   * again replaces the earlier watch (the newest request's principal and checks hold).
   */
  async add(
    uri: string,
    watch: (changed: () => void) => Promise<StopWatching> | StopWatching,
  ): Promise<void> {
    if (this.closed) throw new AppError('unavailable', 'The session is closing');
    if (!this.active.has(uri) && this.active.size >= this.limit)
      throw new AppError('bad_request', `At most ${this.limit} resource subscriptions per session`);
    const stop = await watch(() => this.changed(uri));
    if (this.closed) {
      stop();
      throw new AppError('unavailable', 'The session is closing');
    }
    const previous = this.active.get(uri);
    this.active.set(uri, stop);
    previous?.();
  }

  /** Whether `uri` was subscribed. */
  remove(uri: string): boolean {
    const stop = this.active.get(uri);
    if (!stop) return false;
    this.active.delete(uri);
    this.due.delete(uri);
    stop();
    return true;
  }

  has(uri: string): boolean {
    return this.active.has(uri);
  }

  get size(): number {
    return this.active.size;
  }

  close(): void {
    this.closed = true;
    for (const stop of this.active.values()) {
      try {
        stop();
      } catch {
        // one failing watcher must not keep the others running
      }
    }
    this.active.clear();
    this.due.clear();
  }

  private changed(uri: string): void {
    if (this.closed || !this.active.has(uri)) return;
    this.due.add(uri);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      const uris = [...this.due];
      this.due.clear();
      for (const u of uris) {
        if (this.active.has(u)) this.notify(u).catch((err: unknown) => this.onNotifyError(err, u));
      }
    });
  }
}
