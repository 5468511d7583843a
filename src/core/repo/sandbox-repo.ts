// The signed update repository of a sandbox (`brkt dev init`): repo/ with releases 1.1.0 and
// 1.2.0 of the sandbox's variant, its root installed as usr/share/updog/root.json, and its
// file:// URLs recorded for the settings side to put into the sandbox's update settings.
import { pathToFileURL } from 'node:url';
import type { Platform } from '../../platform/types';
import { osReleaseFor, SANDBOX_VERSION } from '../sandbox/init';
import { encodeSandboxRoot } from '../sandbox/root-image';
import { parseVersion } from '../updates/version';
import { addRelease } from './release';
import { repoLayout, RepoWriter } from './repository';

export const SANDBOX_REPO_DIR = 'repo';
export const SANDBOX_RELEASES = ['1.1.0', '1.2.0'];
/** Small images keep `brkt dev init` fast; they fit the sandbox disk's partitions easily. */
const ROOT_IMAGE_BYTES = 256 << 10;
const BOOT_IMAGE_BYTES = 64 << 10;
const HASH_IMAGE_BYTES = 16 << 10;
/** A sandbox repository stays valid for a year (`brkt repo refresh-timestamp` renews it). */
const YEAR_MS = 365 * 86_400_000;

/** Where the sandbox's update settings should point (the `settings.updates.*` key names). */
export interface SandboxRepoUrls {
  'metadata-base-url': string;
  'targets-base-url': string;
}

async function* once(data: Uint8Array) {
  yield data;
}

/** Bytes that say which release and partition they belong to, padded to `size`. */
function labelled(label: string, size: number): Uint8Array {
  const image = new Uint8Array(size);
  image.set(new TextEncoder().encode(`${label}\n`));
  return image;
}

/** Creates the repository once; later runs only re-install the root and the URL record. */
export async function createSandboxRepository(platform: Platform, variant: string): Promise<SandboxRepoUrls> {
  const layout = repoLayout(platform.path(SANDBOX_REPO_DIR));
  const files = platform.files;
  let repo: RepoWriter;
  if ((await files.list(layout.metadataDir)).length > 0) {
    repo = await RepoWriter.open(files, layout);
  } else {
    const expiry = new Date(platform.now().getTime() + YEAR_MS);
    repo = await RepoWriter.create(files, layout, { expires: { root: expiry, targets: expiry, snapshot: expiry, timestamp: expiry } });
    for (const version of SANDBOX_RELEASES) {
      await addRelease(repo, {
        variant,
        arch: platform.arch,
        version: parseVersion(version),
        buildId: osReleaseFor(version, variant).match(/BUILD_ID=(\w+)/)![1]!,
        images: {
          root: once(encodeSandboxRoot(osReleaseFor(version, variant), ROOT_IMAGE_BYTES)),
          boot: once(labelled(`brkt sandbox boot ${variant} ${version}`, BOOT_IMAGE_BYTES)),
          hash: once(labelled(`brkt sandbox hash ${variant} ${version}`, HASH_IMAGE_BYTES)),
        },
      });
    }
    // Each release step has a (here empty) migrations entry, as in upstream manifests: updog
    // refuses an update whose migration chain from the running version has a gap.
    const chain = [SANDBOX_VERSION, ...SANDBOX_RELEASES].map(version => parseVersion(version));
    const manifest = await repo.readManifest();
    await repo.writeManifest({ ...manifest, migrations: chain.slice(1).map((to, i) => ({ from: chain[i]!, to, names: [] })) });
    await repo.publish();
  }
  await files.writeAtomic(platform.paths.updogRoot, await repo.initialRoot());
  const urls: SandboxRepoUrls = {
    'metadata-base-url': pathToFileURL(layout.metadataDir).href + '/',
    'targets-base-url': pathToFileURL(layout.targetsDir).href + '/',
  };
  await files.writeAtomic(platform.paths.sandboxRepo, JSON.stringify(urls, null, 2) + '\n');
  return urls;
}
