// Picks the role from the name brkt was started as (BusyBox style). Kept pure for table tests.
import { basename } from 'node:path';

export const ROLE_NAMES = ['apiclient', 'apiserver', 'updog', 'signpost', 'logdog', 'sheltie', 'migrator', 'host-containers', 'bootstrap-containers', 'host-ctr'] as const;
export type RoleName = (typeof ROLE_NAMES)[number];

export const isRole = (name: string | undefined): name is RoleName =>
  name !== undefined && (ROLE_NAMES as readonly string[]).includes(name);

export interface Dispatch {
  /** The upstream tool to behave as, or undefined for brkt's own command line. */
  role?: RoleName;
  /** The program name to show in messages (`signpost`, `brkt signpost`, `brkt`). */
  shown: string;
  /** Arguments for the role or for brkt, without the global options. */
  rest: string[];
  /** `--root DIR` / `--root=DIR`, accepted anywhere before `--`. */
  root?: string;
}

/** `argv0` is the started-as name (`process.argv0`); `args` the user's arguments. */
export function pickRole(argv0: string, args: string[]): Dispatch {
  const { root, rest } = takeRootOption(args);
  const invoked = basename(argv0).replace(/^-/, ''); // "-sheltie" from a login shell
  if (isRole(invoked)) return { role: invoked, shown: invoked, rest, root };
  const [first, ...after] = rest;
  if (isRole(first)) return { role: first, shown: `brkt ${first}`, rest: after, root };
  return { shown: 'brkt', rest, root };
}

/** Removes the global `--root` option; the last one wins. Arguments after `--` are left alone. */
export function takeRootOption(args: string[]): { root?: string; rest: string[] } {
  const rest: string[] = [];
  let root: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (arg === '--root' && i + 1 < args.length) root = args[++i];
    else if (arg.startsWith('--root=')) root = arg.slice('--root='.length);
    else rest.push(arg);
  }
  return { root, rest };
}
