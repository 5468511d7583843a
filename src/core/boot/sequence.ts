// The boot sequence of settings.md section 11, as an ordered list of named steps. Each step
// logs one line; the first failure stops the boot with that step's name and reason.
import { BrktError, messageOf } from '../errors';
import { readOsRelease } from '../os-release';
import type { Platform } from '../../platform/types';
import type { ApiServer } from '../api/server';
import type { Applier } from '../api/applier';
import { apiserverStep, storewolfStep } from '../api/boot-steps';
import { bootloaderStep, markSuccessfulBootStep } from '../bootloader/boot-steps';
import { migratorStep } from '../migrations/boot-step';
import { bootstrapCommandsStep, generatorsStep, renderAllStep, userDataStep } from '../boot-config/steps';
import { configuredTargetStep } from '../bootstrap-containers/boot-step';

export interface BootContext {
  platform: Platform;
  /** The API server once the `apiserver` step has started it; later steps talk to it. */
  api?: ApiServer;
  /** Handed to the API server: runs after /tx/apply and /tx/commit_and_apply. */
  applier?: Applier;
  /** Set by a step when the boot must end in a reboot (a failed boot-health check); why. */
  rebootRequested?: string;
  log(line: string): void;
}

export interface BootStep {
  name: string;
  run(context: BootContext): Promise<string | void>;
}

export const BOOT_STEPS: BootStep[] = [
  bootloaderStep,
  {
    name: 'os-release',
    async run({ platform }) {
      const release = await readOsRelease(platform);
      if (!release) throw new BrktError('not-found', `No ${platform.paths.osRelease}: is ${platform.paths.root} a host root? (brkt dev init DIR creates a sandbox)`);
      return `running ${release.prettyName ?? `${release.variantId} ${release.versionId}`}`;
    },
  },
  migratorStep,
  storewolfStep,
  apiserverStep,
  userDataStep,
  // sundog and settings-applier each commit `bottlerocket-launch` first (settings-committer).
  generatorsStep,
  renderAllStep,
  // Current upstream: apiclient commands from settings, after the first full apply.
  bootstrapCommandsStep,
  configuredTargetStep,
  markSuccessfulBootStep,
];

/**
 * One step alone, as its systemd unit runs it (`brkt boot step NAME`, brkt install): the API
 * server is its own unit, so the steps after it reach it on the socket. `apiserver` is refused:
 * it is a server, not a step that ends.
 */
export async function runBootStep(context: BootContext, name: string, steps = BOOT_STEPS): Promise<void> {
  const step = steps.find(candidate => candidate.name === name);
  const names = steps.filter(candidate => candidate.name !== apiserverStep.name).map(candidate => candidate.name);
  if (!step || step === apiserverStep) throw new BrktError('usage', `Unknown boot step '${name}' (steps: ${names.join(', ')}; the API server runs as 'apiserver')`);
  await runBoot(context, [step]);
}

export async function runBoot(context: BootContext, steps = BOOT_STEPS): Promise<void> {
  for (const step of steps) {
    let detail: string | void;
    try {
      detail = await step.run(context);
    } catch (error) {
      const code = error instanceof BrktError ? error.code : 'io';
      throw new BrktError(code, `Boot failed at ${step.name}: ${messageOf(error)}`, { cause: error });
    }
    context.log(`boot: ${step.name}${detail ? `: ${detail}` : ''}`);
  }
}
