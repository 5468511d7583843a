// Copies the running brkt executable into a host or image tree (`brkt install`): beside the
// destination first, fsynced, then renamed over it, so a running copy is never torn.
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import { selfCommand } from './self-command';

/** What happened, as one phrase: copied, already there, or why not (run from source). */
export async function installSelf(destination: string): Promise<string> {
  const [binary, script] = selfCommand();
  if (script !== undefined) return `not copied: brkt runs from source (${script}); build it with 'bun scripts/build.ts' to install the binary`;
  const same = await Promise.all([fs.realpath(binary!), fs.realpath(destination).catch(() => undefined)]);
  if (same[0] === same[1]) return `${destination} (already this binary)`;
  await fs.mkdir(dirname(destination), { recursive: true });
  const temp = join(dirname(destination), `.brkt.${process.pid}.tmp`);
  await fs.copyFile(binary!, temp);
  const handle = await fs.open(temp, 'r');
  try {
    await handle.chmod(0o755);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.rename(temp, destination);
  return `${destination} (copied from ${binary})`;
}
