// The settings applier the API server runs after a commit (thar-be-settings), and at boot in
// all mode. Entry point of src/core/applier.
import type { Applier } from '../api/applier';
import type { Platform } from '../../platform/types';
import { applySettings } from './apply';
import { ApplyQueue } from './queue';
import type { SettingsSource } from './source';

export type { Applier, ApplyRequest } from '../api/applier';

export interface ApplierOptions {
  /** One line per notable event (files skipped in all mode, nothing affected). */
  log?: (line: string) => void;
  /** How long a restart command may run (default RESTART_TIMEOUT_MS). */
  restartTimeoutMs?: number;
}

/**
 * An applier over `source`. Concurrent calls are serialized and coalesced (see `ApplyQueue`):
 * the last committed state is always the one rendered and restarted. A call resolves once an
 * apply that began after it has finished, and rejects with that apply's error.
 */
export function makeApplier(platform: Platform, source: SettingsSource, options: ApplierOptions = {}): Applier {
  const queue = new ApplyQueue(async keys => {
    await applySettings(platform, source, keys, options.log, { restartTimeoutMs: options.restartTimeoutMs });
  });
  return request => queue.submit(request.keys);
}

export { applySettings, type ApplyReport } from './apply';
export { httpSettingsSource, MemorySettingsSource, type SettingsSource, type MemoryState } from './source';
