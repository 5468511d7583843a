// Creates the BusyBox-style links to the brkt binary. This is outside any root: the user names
// the directory.
import { promises as fs } from 'node:fs';
import { join, resolve } from 'node:path';
import { BrktError } from '../core/errors';

export interface LinkResult {
  name: string;
  path: string;
  action: 'created' | 'kept' | 'replaced';
}

/** Idempotent: an existing link to `target` is kept, a link elsewhere is replaced, a file refused. */
export async function createRoleLinks(dir: string, target: string, names: readonly string[]): Promise<LinkResult[]> {
  const base = resolve(dir);
  const info = await fs.stat(base).catch(() => undefined);
  if (!info?.isDirectory()) throw new BrktError('invalid-input', `Cannot create links in ${base}: not a directory`);
  const plans: LinkResult[] = [];
  for (const name of names) {
    const path = join(base, name);
    const existing = await fs.lstat(path).catch(() => undefined);
    if (!existing) plans.push({ name, path, action: 'created' });
    else if (!existing.isSymbolicLink()) throw new BrktError('invalid-input', `Refusing to overwrite ${path}: it is not a link`);
    else plans.push({ name, path, action: (await fs.readlink(path)) === target ? 'kept' : 'replaced' });
  }
  // Every name was checked before any change, so a refused file leaves the directory untouched.
  for (const plan of plans) {
    if (plan.action === 'kept') continue;
    const temp = `${plan.path}.brkt-new`;
    await fs.rm(temp, { force: true });
    await fs.symlink(target, temp);
    await fs.rename(temp, plan.path);
  }
  return plans;
}
