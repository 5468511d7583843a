// The boot step between settings-applier and mark-successful-boot: configured.target, which
// bootstrap containers come before (boot-config.md 1.2).
import { ApiClient } from '../client/api-client';
import type { BootStep } from '../boot/sequence';
import { reachConfiguredTarget } from './manage';

export const configuredTargetStep: BootStep = {
  name: 'configured.target',
  run: ({ platform, log }) => reachConfiguredTarget(platform, ApiClient.on(platform), log),
};
