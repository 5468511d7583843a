// What a serving API server is plugged into on a host or sandbox: the settings applier (over
// this same socket, like upstream's thar-be-settings), the update dispatcher, and reboot.
import { makeApplier } from '../applier';
import { httpSettingsSource } from '../applier/source';
import { makeRebootAction, makeUpdateActions } from '../update-api/actions';
import type { ApiServerOptions } from './server';
import type { Platform } from '../../platform/types';

export function hostServices(platform: Platform, log?: (line: string) => void): Pick<ApiServerOptions, 'applier' | 'updates' | 'reboot'> {
  return {
    applier: makeApplier(platform, httpSettingsSource(platform), { log }),
    updates: makeUpdateActions(platform),
    reboot: makeRebootAction(platform),
  };
}
