// The VM's Debian userland: mmdebstrap's minbase with systemd as init and udev, as a tarball in
// the cache named by a digest of everything that goes into the build.
import { join } from 'node:path';
import { cached, sha256Text } from './cache';
import { requireTool, run } from './tools';

const SUITE = 'bookworm';
const PACKAGES = ['systemd', 'systemd-sysv', 'udev', 'dbus'];
const DPKG_OPTIONS = ['path-exclude=/usr/share/man/*', 'path-exclude=/usr/share/doc/*', 'path-exclude=/usr/share/locale/*', 'path-exclude=/usr/share/info/*'];
/** Bump when the recipe changes in a way the arguments do not show. */
const RECIPE = '1';

export function userlandArgs(output: string): string[] {
  return [
    'mmdebstrap', '--quiet', '--variant=minbase', `--include=${PACKAGES.join(',')}`,
    ...DPKG_OPTIONS.map(option => `--dpkgopt=${option}`),
    SUITE, output,
  ];
}

export async function ensureUserland(cache: string, log: (line: string) => void): Promise<{ tarball: string; digest: string }> {
  requireTool('mmdebstrap');
  const digest = sha256Text(RECIPE, ...userlandArgs('OUT'));
  const entry = await cached(join(cache, 'userland'), `${digest.slice(0, 16)}.tar`, async temp => {
    log(`Building the Debian ${SUITE} userland with mmdebstrap (${PACKAGES.join(', ')})`);
    // mmdebstrap picks the format from the name: keep ".tar" at the end of the temp name.
    await run(userlandArgs(`${temp}.tar`));
    await run(['mv', `${temp}.tar`, temp]);
  });
  return { tarball: entry.path, digest };
}
