import type { z } from 'zod';
import type { StateDb } from './database.js';

/** A stored setting that no longer reads as its schema says (edited by hand, or from a newer version). */
export class SettingCorruptError extends Error {
  override name = 'SettingCorruptError';
}

/**
 * App settings (one JSON value per key) in the state DB, validated on every read with the caller's schema, so
 * a row that is not what the code expects is named as such instead of flowing on as a cast.
 */
export class Settings {
  constructor(private readonly db: StateDb) {}

  get<S extends z.ZodType>(key: string, schema: S): z.output<S> | undefined {
    const row = this.db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as
      { value: string } | undefined;
    if (!row) return undefined;
    let raw: unknown;
    try {
      raw = JSON.parse(row.value);
    } catch {
      throw new SettingCorruptError(`The stored setting "${key}" is not JSON.`);
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      throw new SettingCorruptError(
        `The stored setting "${key}" is not valid: ${parsed.error.issues[0]?.message ?? 'unknown'}.`,
      );
    return parsed.data;
  }

  set(key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
      )
      .run(key, JSON.stringify(value));
  }

  /** Deletes the key; with `only`, only while it still holds that value. */
  delete(key: string, only?: unknown): void {
    if (only === undefined) this.db.prepare('DELETE FROM settings WHERE key = ?').run(key);
    else this.db.prepare('DELETE FROM settings WHERE key = ? AND value = ?').run(key, JSON.stringify(only));
  }
}
