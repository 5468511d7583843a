// brkt's command groups: name, one-line description, and a loader. Loading on demand keeps
// start-up lean: with bundle splitting, a group that is not used is never parsed.
import type { CommandClass } from 'clipanion';
import type { BrktContext } from './context';
import type { Platform } from '../platform/types';

/** An upstream tool's own command line (apiclient, updog, logdog): args in, exit code out. */
export type RoleRunner = (args: string[], io: { shown: string; platform: Platform }) => Promise<number>;

export interface GroupModule {
  /** Clipanion commands, with paths relative to the group (`[['status']]` for `brkt signpost status`). */
  commands: CommandClass<BrktContext>[];
  /** When the group is also an upstream role with its own flags, how to run it by that name. */
  runRole?: RoleRunner;
  /** Words to complete for positional arguments, by command path (`settings get` -> setting keys). */
  completionValues?: () => Record<string, string[]>;
}

/** A hand-parsed fast path for a hot command; `undefined` means "not mine, use clipanion". */
export type LeanRunner = (args: string[], io: { shown: string; platform: Platform }) => Promise<number | undefined>;

export interface GroupEntry {
  description: string;
  load: () => Promise<GroupModule>;
  /** Loaded before `load` and without clipanion, for commands on a latency budget. */
  lean?: () => Promise<LeanRunner>;
  /** Hidden from `brkt --help` (upstream role names that duplicate a brkt group). */
  hidden?: boolean;
}

export const GROUPS = new Map<string, GroupEntry>();

function group(name: string, description: string, load: GroupEntry['load'], hidden = false, lean?: GroupEntry['lean']) {
  if (GROUPS.has(name)) throw new Error(`Command group ${name} registered twice`);
  GROUPS.set(name, { description, load, hidden, lean });
}

group('boot', 'Run the boot sequence of the host (or sandbox); --serve keeps serving the API', () => import('./boot'));
group('boot-stage', "Choose the partition set to boot and spend its try (an initramfs's gptprio step)", () => import('./boot-stage'), true);
group('dev', 'Developer tools: create a sandbox root or a QEMU virtual machine host', () => import('./dev'));
group('repo', 'Build and sign a TUF update repository (keys, releases, expiry, root rotation)', () => import('./repo'));
group('apiserver', 'Serve the settings API on a Unix socket, in the foreground', () => import('./apiserver/index'));
group('api', 'Send one raw request to the settings API and print the answer', () => import('./api'), false, () => import('./api-raw').then(m => m.runApiLean));
group('settings', 'Get, set, apply, diff, describe, delete settings; their history and JSON Schema', () => import('./settings/index'));
group('links', 'Create the upstream tool links (apiclient, apiserver, ...) in a directory', () => import('./links'));
group('apiclient', "Upstream apiclient's command line (raw, get, set, apply, update, reboot)", () => import('./apiclient/index'), true);
group('fleet', 'Run brkt commands across many hosts through AWS Systems Manager (run, settings set, update)', () => import('./fleet/index'));
group('logs', 'Collect logs, command outputs and redacted settings into one archive', () => import('./logs/index'));
group('logdog', "Upstream logdog's command line (--output PATH)", () => import('./logs/index'), true);
group('sheltie', "A root shell in the host's namespaces (or one command run there)", () => import('./sheltie/index'));
group('signpost', 'Show and change the A/B partition set flags (status, upgrade-to-inactive, ...)', () => import('./signpost/index'), false, () => import('./signpost/run-signpost').then(m => m.runSignpostLean));
group('migrator', 'Move the datastore to the running OS version with the stored migrations (upstream migrator flags)', () => import('./migrator'));
group('update', 'Check for, apply, show and cancel OS updates (check, --now, --reboot, --image V, status, cancel)', () => import('./update/index'));
group('updog', "Upstream updog's command line (check-update, update, update-image, update-apply, update-revert)", () => import('./updog/index'), true);
group('rollback', 'Make the other partition set boot next', () => import('./rollback'));
group('reboot', 'Reboot; in a sandbox, boot again from the set the sandbox bootloader chooses', () => import('./reboot'));
group('install', "Write brkt's systemd units and the tool links into a host or an image tree (--dry-run prints them)", () => import('./install'));
group('host-containers', 'Manage the host containers from their settings (upstream host-containers)', () => import('./host-containers-role'), true);
group('bootstrap-containers', 'Manage bootstrap containers: create-containers, mark-bootstrap (upstream bootstrap-containers)', () => import('./bootstrap-containers-role'), true);
group('host-ctr', 'Run one host or bootstrap container on the host containerd (upstream host-ctr)', () => import('./host-ctr-role'), true);
group('completions', 'Print a shell completion script (bash, zsh, fish)', () => import('./completions/index'));
