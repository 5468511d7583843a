// The boot-health settings with their defaults applied: what the judge of a new boot runs.
import type { Static } from '@sinclair/typebox';
import type { BootHealthSettings } from '../model/settings';

export const DEFAULT_TIMEOUT_SECONDS = 60;
export const DEFAULT_WINDOW_SECONDS = 300;

export interface HealthCheck {
  name: string;
  /** Absent when the settings name a check without a command: that check fails. */
  command?: string[];
  timeoutSeconds: number;
}

export interface HealthConfig {
  checks: HealthCheck[];
  windowSeconds: number;
}

/** `settings.boot-health` (validated by the model) as a config; checks in name order. */
export function healthConfig(settings: Static<typeof BootHealthSettings> | undefined): HealthConfig {
  const checks = Object.entries(settings?.checks ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, check]) => ({ name, command: check.command, timeoutSeconds: check['timeout-seconds'] ?? DEFAULT_TIMEOUT_SECONDS }));
  return { checks, windowSeconds: settings?.['window-seconds'] ?? DEFAULT_WINDOW_SECONDS };
}
