// User data as early-boot-config reads it (boot-config.md 2.1): TOML, maybe gzip-compressed,
// whose `settings` table becomes the PATCH body. Everything else in the document is ignored.
import { gunzipSync } from 'node:zlib';
import { parse as parseToml, TomlError } from 'smol-toml';
import { BrktError, messageOf } from '../errors';
import { deepMerge, type Json } from '../client/deep-merge';

/** Gunzips data that starts with the gzip magic bytes; anything else is returned as it is. */
export function maybeGunzip(data: Uint8Array, from: string): Uint8Array {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) return data;
  try {
    return new Uint8Array(gunzipSync(data));
  } catch (error) {
    throw new BrktError('invalid-input', `Failed to decompress user data from ${from}: ${messageOf(error)}`);
  }
}

/**
 * The settings document of user data, or `undefined` when it is empty (only whitespace).
 * Errors name the source and the line (TOML) or the key (values the API cannot hold).
 */
export function parseUserData(data: Uint8Array | string, from: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: true }).decode(maybeGunzip(data, from));
  } catch (error) {
    if (error instanceof BrktError) throw error;
    throw new BrktError('invalid-input', `User data from ${from} is not UTF-8 text`);
  }
  if (text.trim() === '') return undefined;
  let document: Record<string, unknown>;
  try {
    document = parseToml(text);
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0]!.replace(/^Invalid TOML document: /, '');
      throw new BrktError('invalid-input', `Error parsing TOML user data from ${from}: line ${error.line}, column ${error.column}: ${reason}`);
    }
    throw new BrktError('invalid-input', `Error parsing TOML user data from ${from}: ${messageOf(error)}`);
  }
  const settings = document.settings;
  if (settings === undefined) throw new BrktError('invalid-input', `TOML data did not contain 'settings' section (user data from ${from})`);
  if (settings === null || typeof settings !== 'object' || Array.isArray(settings) || settings instanceof Date) {
    throw new BrktError('invalid-input', `User data from ${from}: 'settings' must be a table`);
  }
  rejectDates(settings, 'settings', from);
  return settings as Record<string, unknown>;
}

/** TOML dates and times have no place in the settings model (JSON has no such type). */
function rejectDates(value: unknown, key: string, from: string) {
  if (value instanceof Date) throw new BrktError('invalid-input', `User data from ${from}: ${key} is a TOML date-time, which no setting accepts`);
  if (Array.isArray(value)) value.forEach((item, index) => rejectDates(item, `${key}[${index}]`, from));
  else if (value !== null && typeof value === 'object') {
    for (const [name, item] of Object.entries(value)) rejectDates(item, `${key}.${/^[A-Za-z0-9_-]+$/.test(name) ? name : JSON.stringify(name)}`, from);
  }
}

/** Merges `right` into `left` (later user data wins): tables merge, anything else replaces. */
export const mergeSettings = (left: Record<string, unknown>, right: Record<string, unknown>) =>
  deepMerge(left as Json, right as Json) as Record<string, unknown>;
