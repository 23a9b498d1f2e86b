/**
 * Where fetched data is kept for a while. Values are JSON strings, so any key-value store fits
 * (the redis MCP server's cache tools in the services, `MemoryCache` in tests).
 */
export interface CachePort {
  get(key: string): Promise<string | null | undefined>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

/** In-process CachePort with expiry, for tests and single-process use. */
export class MemoryCache implements CachePort {
  private readonly entries = new Map<string, { value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async get(key: string): Promise<string | null> {
    const entry = this.entries.get(key);
    if (!entry) return null;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return null;
    }
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }
}
