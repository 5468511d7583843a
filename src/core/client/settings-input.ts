// Turns `apiclient set --json` and `apiclient apply` inputs into settings documents, with
// upstream's messages (apiclient.md 4.1 and 5).
import { BrktError, messageOf } from '../errors';
import { isObject, type Json } from './deep-merge';

/** `set --json`: an object; a `settings` member is moved up into the top level. */
export function settingsFromJsonArgument(text: string): Record<string, Json> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BrktError('usage', `Couldn't parse given JSON input: ${messageOf(error)}`);
  }
  if (!isObject(value)) throw new BrktError('usage', 'JSON input must be an object (map)');
  if (!('settings' in value)) return value;
  const { settings, ...rest } = value;
  if (!isObject(settings)) throw new BrktError('usage', `JSON 'settings' value must be an object (map)`);
  return { ...rest, ...settings };
}

/** An `apply` input: TOML first, then JSON; the `settings` table of the document. */
export async function settingsFromDocument(source: string, text: string): Promise<Record<string, Json>> {
  let document: unknown;
  try {
    const { parse } = await import('smol-toml');
    document = parse(text);
  } catch (tomlError) {
    try {
      document = JSON.parse(text);
    } catch (jsonError) {
      throw new BrktError('invalid-input', `Input '${source}' is not valid TOML or JSON.  (TOML error: ${oneLine(messageOf(tomlError))})  (JSON error: ${messageOf(jsonError)})`);
    }
  }
  if (!isObject(document)) throw new BrktError('invalid-input', `Settings from '${source}' are not a TOML table / JSON object`);
  if (!('settings' in document)) throw new BrktError('invalid-input', `Settings from '${source}' did not contain a 'settings' key at top level`);
  const settings = document.settings;
  if (!isObject(settings)) throw new BrktError('invalid-input', `Settings from '${source}' are not a TOML table / JSON object`);
  return normalizeToml(settings) as Record<string, Json>;
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();

/** TOML dates and bigints are not JSON; settings never use dates, so they become strings. */
function normalizeToml(value: unknown): Json {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(normalizeToml);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeToml(v)]));
  return value as Json;
}
