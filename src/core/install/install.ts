// `brkt install`: the unit table (units.ts) written into a host or image tree, enabled the way
// `systemctl enable` would (the [Install] links), the boot's default target, the api group, and
// the tool links to the brkt binary.
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';
import { API_GROUP, BRKT_BINARY, ENABLE_DIR, renderUnit, TOOL_LINKS, UNIT_DIR, UNITS, unitValues } from './units';

export type InstallEntry =
  | { kind: 'file'; path: string; content: string }
  | { kind: 'link'; path: string; target: string };

const dirOf = (path: string) => path.slice(0, path.lastIndexOf('/'));
const baseOf = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/** Everything `brkt install` writes, as paths on the target system, in writing order. */
export function installPlan(): InstallEntry[] {
  const entries: InstallEntry[] = [];
  for (const unit of UNITS) entries.push({ kind: 'file', path: `${UNIT_DIR}/${unit.name}`, content: renderUnit(unit) });
  entries.push({ kind: 'file', path: '/usr/lib/sysusers.d/brkt-api.conf', content: `g ${API_GROUP.name} ${API_GROUP.gid} - -\n` });
  // A template (`name@.service`) is enabled per instance, by the program that manages them.
  for (const unit of UNITS.filter(unit => !unit.name.includes('@.'))) {
    for (const [key, suffix] of [['WantedBy', 'wants'], ['RequiredBy', 'requires']] as const) {
      for (const owner of unitValues(unit, 'Install', key)) {
        entries.push({ kind: 'link', path: `${ENABLE_DIR}/${owner}.${suffix}/${unit.name}`, target: `${UNIT_DIR}/${unit.name}` });
      }
    }
  }
  // Each boot starts at preconfigured.target; activate-* move on to configured and multi-user.
  entries.push({ kind: 'link', path: `${ENABLE_DIR}/default.target`, target: `${UNIT_DIR}/preconfigured.target` });
  for (const tool of TOOL_LINKS) entries.push({ kind: 'link', path: `${dirOf(BRKT_BINARY)}/${tool}`, target: baseOf(BRKT_BINARY) });
  return entries;
}

/** `--dry-run`: every unit file with its path, then the links. */
export function formatPlan(entries: InstallEntry[]): string {
  const files = entries.filter(entry => entry.kind === 'file').map(entry => `# ${entry.path}\n${entry.content}`);
  const links = entries.filter(entry => entry.kind === 'link').map(entry => `${entry.path} -> ${entry.target}`);
  return `${files.join('\n')}\n# links\n${links.join('\n')}\n`;
}

export interface InstallResult {
  root: string;
  files: number;
  links: number;
  /** Where the binary was copied, or why not. */
  binary: string;
}

/**
 * Writes the plan under the platform's root. Files are written atomically; a link replaces a
 * link, but an existing regular file where a link goes is refused before anything is written.
 */
export async function install(platform: Platform, entries: InstallEntry[] = installPlan()): Promise<InstallResult> {
  const { files } = platform;
  for (const entry of entries) {
    if (entry.kind !== 'link') continue;
    const info = await files.info(platform.path(entry.path));
    if (info && !info.isSymlink) throw new BrktError('conflict', `Refusing to replace ${platform.path(entry.path)} with a link: it is not a link`);
  }
  const binary = await platform.installSelf(platform.path(BRKT_BINARY));
  for (const entry of entries) {
    const path = platform.path(entry.path);
    try {
      if (entry.kind === 'file') {
        await files.writeAtomic(path, entry.content, { mode: 0o644 });
        continue;
      }
      if ((await files.readlink(path)) === entry.target) continue;
      await files.mkdirp(dirOf(path));
      await files.remove(path);
      await files.symlink(entry.target, path);
    } catch (error) {
      throw new BrktError('io', `Failed to install ${path}: ${messageOf(error)}`, { cause: error });
    }
  }
  return {
    root: platform.paths.root,
    files: entries.filter(entry => entry.kind === 'file').length,
    links: entries.filter(entry => entry.kind === 'link').length,
    binary,
  };
}
