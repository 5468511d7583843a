// What the update state machine asks of updog (updates.md 6.4 "child runs"): list the
// applicable updates, stage one version, activate, revert. brkt runs them in-process, with the
// log lines updog would write to stderr collected for `most_recent_command.stderr`.
import { BrktError, messageOf } from '../errors';
import { activateStaged, applyUpdate, revertStaged, type ApplyOptions } from '../updates/apply';
import type { Update } from '../updates/manifest';
import { readUpdogConfig } from '../updates/updog-config';
import { applicableFor, chooseFor, startUpdog } from '../updates/updog-session';
import { parseVersion, type Version } from '../updates/version';
import type { Platform } from '../../platform/types';

export interface UpdateList {
  /** Applicable updates, newest first (`updog whats --all --json`). */
  updates: Update[];
  /** The running version updog compared against. */
  current: Version;
}

/** A failed updog run: its exit status and what it wrote to stderr. */
export class UpdogFailure extends Error {
  constructor(readonly exitStatus: number, readonly stderr: string, readonly error?: unknown) {
    super(stderr.trim().split('\n').at(-1) ?? 'updog failed');
  }
}

/** Each method resolves to updog's stderr, or throws UpdogFailure. */
export interface UpdogOperations {
  listUpdates(options: { ignoreWaves?: boolean }): Promise<UpdateList & { stderr: string }>;
  /** `update-image --image VERSION --now`: exactly the version the state machine chose. */
  stage(version: string): Promise<{ stderr: string }>;
  activate(): Promise<{ stderr: string }>;
  deactivate(): Promise<{ stderr: string }>;
}

export type InProcessHooks = Pick<ApplyOptions, 'onProgress' | 'onImage' | 'tmpdir' | 'log'>;

/** Runs `work`; its log lines and its error (as the last line) become the stderr text. */
async function captured<T>(hooks: InProcessHooks, work: (log: (line: string) => void) => Promise<T>): Promise<T & { stderr: string }> {
  const lines: string[] = [];
  const log = (line: string) => {
    lines.push(line);
    hooks.log?.(line);
  };
  try {
    const result = await work(log);
    return { ...result, stderr: lines.map(line => line + '\n').join('') };
  } catch (error) {
    lines.push(messageOf(error));
    throw new UpdogFailure(1, lines.map(line => line + '\n').join(''), error);
  }
}

/** updog's operations as library calls on `platform`. */
export function inProcessUpdog(platform: Platform, hooks: InProcessHooks = {}): UpdogOperations {
  return {
    listUpdates: options =>
      captured(hooks, async () => {
        const session = await startUpdog(platform);
        return { updates: applicableFor(session, options), current: session.current };
      }),
    stage: version =>
      captured(hooks, async log => {
        const session = await startUpdog(platform);
        const forced = parseVersion(version);
        // The version was chosen by refresh (under its waves); staging must not re-select.
        const update = chooseFor(session, { forced, ignoreWaves: true });
        if (!update) throw new BrktError('not-found', `Update ${version} is no longer available in the repository (pulled, or its max_version lowered)`);
        await applyUpdate(session, update, { ...hooks, log, activate: false });
        return {};
      }),
    activate: () =>
      captured(hooks, async () => {
        // Upstream runs the full start-up first (updates.md 4.3 Quirk); the config is what matters here.
        await activateStaged(platform, await readUpdogConfig(platform));
        return {};
      }),
    deactivate: () =>
      captured(hooks, async () => {
        await revertStaged(platform);
        return {};
      }),
  };
}
