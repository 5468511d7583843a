// The server's side of strength (settings-now.md 1.4, 3.1): the commit check over the live view,
// upstream's 500 for a refused transaction, and the body of GET /v2/tx.
import { ApiError } from './api-error';
import { checkStrengths, parseStrengthText, StrengthRejection, STRENGTH_METADATA } from '../datastore/strength';
import { keyFromSegments, parseKey, type Key } from '../datastore/key';
import { isTombstone, type CommitCheck, type MetadataMap } from '../datastore/store';
import type { LiveView } from './live-view';

/**
 * A check for one batch of commits: each transaction is judged against live as the earlier
 * transactions of the same batch leave it (their values and strengths count as live).
 */
export function strengthCheck(view: LiveView): CommitCheck {
  const values = new Map<string, boolean>();
  const strengths: MetadataMap = new Map();
  const live = {
    // Longest prefix first; at each prefix, this batch's writes before what live already holds.
    strength(key: Key) {
      for (let n = key.segments.length; n > 0; n--) {
        const name = n === key.segments.length ? key.name : keyFromSegments(key.segments.slice(0, n)).name;
        const text = strengths.get(name)?.get(STRENGTH_METADATA) ?? view.metadata.get(name)?.get(STRENGTH_METADATA);
        if (text !== undefined) return parseStrengthText(text, name);
      }
      return 'strong' as const;
    },
    hasValue: (key: Key) => values.get(key.name) ?? view.get(key) !== undefined,
  };
  return (tx, pending, metadata) => {
    let writes;
    try {
      writes = checkStrengths(metadata, live, name => parseKey(name));
    } catch (error) {
      if (!(error instanceof StrengthRejection)) throw new ApiError(500, `Data store error during commit: ${(error as Error).message}`);
      throw new ApiError(500, `Data store error during commit: Check constraint function rejected the transaction. Aborting commit : ${error.message}`);
    }
    for (const value of pending) values.set(value.key.name, !isTombstone(value.text));
    for (const write of writes) strengths.set(write.key.name, new Map([[write.meta, write.text]]));
    return writes;
  };
}

/** `{"settings":{...},"metadata":{"settings.motd":{"strength":"\"weak\""}}}`: stored text as is. */
export function pendingTransactionJson(settings: Record<string, unknown>, metadata: MetadataMap): string {
  const names = [...metadata.keys()].sort();
  return JSON.stringify({ settings, metadata: Object.fromEntries(names.map(name => [name, Object.fromEntries(metadata.get(name)!)])) });
}
