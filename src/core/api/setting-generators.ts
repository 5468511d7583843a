// GET /metadata/setting-generators (v1: strong generators, expanded, command strings) and
// GET /v2/metadata/setting-generators (all, `{command, strength}`): settings-now.md 1.6.
import { ApiError } from './api-error';
import { expandGenerators } from '../datastore/generator-metadata';
import { parseKey, type Key } from '../datastore/key';
import type { LiveView } from './live-view';

/** The expanded generators of live metadata, sorted by key; malformed metadata is a 500. */
function expanded(view: LiveView) {
  try {
    const generators = expandGenerators(view.metadata, (prefix: Key) => view.withPrefix(`${prefix.name}.`).map(value => value.key), name => parseKey(name));
    return [...generators].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  } catch (error) {
    throw new ApiError(500, (error as Error).message);
  }
}

/** v1 body: strong generators only, key -> command (sundog of 2020 reads this). */
export function settingGeneratorsV1(view: LiveView): string {
  return JSON.stringify(Object.fromEntries(expanded(view).filter(([, g]) => g.strength === 'strong').map(([key, g]) => [key, g.command])));
}

/** v2 body: every generator, key -> {command, strength} (no depth once expanded). */
export function settingGeneratorsV2(view: LiveView): string {
  return JSON.stringify(Object.fromEntries(expanded(view).map(([key, g]) => [key, { command: g.command, strength: g.strength }])));
}
