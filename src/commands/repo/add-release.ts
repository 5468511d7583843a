import { Command, Option } from 'clipanion';
import { resolve } from 'node:path';
import { BrktCommand } from '../base';
import { addReleaseFromFiles } from '../../core/repo/operations';
import { expiries, expiryOptions, location, repoFiles, repoOptions } from './shared';

export class RepoAddReleaseCommand extends BrktCommand {
  static override paths = [['add-release']];
  static override usage = Command.Usage({
    description: 'Add a release: lz4-compress its images, list them in the manifest, re-sign',
    details: 'The boot, root and hash images become targets named like upstream builds (bottlerocket-VARIANT-ARCH-VERSION-BUILD-boot.ext4.lz4, ...-root.ext4.lz4, ...-root.verity.lz4). The manifest entry follows updata add-update: without --max-version, every entry of the variant and arch gets the larger of this version and the first entry\'s max_version. --waves takes a wave file like upstream\'s default-waves.toml, starting at --start-at (default: now).',
    examples: [['Publish 1.2.0 with the default waves', '$0 repo add-release ./repo --variant aws-dev --arch x86_64 --version 1.2.0 --boot-image boot.ext4 --root-image root.ext4 --hash-image root.verity --waves default-waves.toml']],
  });
  dir = repoOptions().dir;
  keys = repoOptions().keys;
  variant = Option.String('--variant', { required: true, description: 'Variant id (os-release VARIANT_ID)' });
  arch = Option.String('--arch', { required: true, description: 'x86_64 or aarch64' });
  version = Option.String('--version', { required: true, description: 'Release version (SemVer)' });
  maxVersion = Option.String('--max-version', { description: 'Highest version hosts should run' });
  buildId = Option.String('--build-id', { description: 'Short build id in the image names' });
  boot = Option.String('--boot-image', { required: true, description: 'Boot partition image' });
  // Not `--root`: that is brkt's global option.
  rootImage = Option.String('--root-image', { required: true, description: 'Root partition image' });
  hash = Option.String('--hash-image', { required: true, description: 'Hash (dm-verity) partition image' });
  waves = Option.String('--waves', { description: 'Wave file ([[waves]] start_after, fleet_percentage)' });
  startAt = Option.String('--start-at', { description: 'When the waves start (RFC 3339; default now)' });
  targets = expiryOptions('expiry').targets;
  snapshot = expiryOptions('expiry').snapshot;
  timestamp = expiryOptions('expiry').timestamp;
  json = Option.Boolean('--json', false, { description: 'Print the image target names as JSON' });

  async run() {
    const images = await addReleaseFromFiles(repoFiles(), location(this), {
      variant: this.variant, arch: this.arch, version: this.version, maxVersion: this.maxVersion, buildId: this.buildId,
      boot: resolve(this.boot), root: resolve(this.rootImage), hash: resolve(this.hash), wavesFile: this.waves && resolve(this.waves), startAt: this.startAt,
      expires: expiries({ targets: this.targets, snapshot: this.snapshot, timestamp: this.timestamp }), now: new Date(),
    });
    if (this.json) return this.outJson(images);
    this.out(`Added ${this.variant} ${this.arch} ${this.version}: ${images.boot}, ${images.root}, ${images.hash}\n`);
  }
}
