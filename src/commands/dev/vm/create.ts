import { Command, Option } from 'clipanion';
import { BrktCommand } from '../../base';
import { DEFAULT_SANDBOX_VARIANT } from '../../../core/sandbox/init';

export class DevVmCreateCommand extends BrktCommand {
  static override paths = [['vm', 'create']];
  static override usage = Command.Usage({
    description: 'Create a QEMU virtual machine host: OS disk, kernel, boot stage, signed repository',
    details: `Writes DIR/disk.img (the upstream GPT layout, sparse) with release 1.0.0 on set A as real ext4 images (a Debian bookworm userland with systemd, this brkt installed with its units), DIR/vmlinuz (Debian's linux-image-cloud-amd64, fetched with apt-get), DIR/initramfs.cpio (the boot stage: brkt chooses the partition set as GRUB's gptprio does), DIR/repo (a signed repository with releases 1.1.0 and 1.2.0; keys in DIR/repo/keys) and DIR/user-data.toml. Packages, the userland and the boot stage are cached in $XDG_CACHE_HOME/brkt (or ~/.cache/brkt). Needs root (the image tree keeps file owners). The default variant is ${DEFAULT_SANDBOX_VARIANT}.`,
    examples: [['Create a VM and start it', '$0 dev vm create ./vm && $0 dev vm start ./vm']],
  });
  dir = Option.String({ required: true, name: 'DIR' });
  variant = Option.String('--variant', DEFAULT_SANDBOX_VARIANT, { description: 'Variant of the images (os-release VARIANT_ID)' });
  maskBrkt = Option.Boolean('--mask-brkt', false, { description: "Mask brkt's units and boot to multi-user.target (a benchmark's reference image)" });

  async run() {
    const { createVm } = await import('../../../platform/vm/machine');
    const files = await createVm(this.dir, { variant: this.variant, maskBrkt: this.maskBrkt, log: line => this.context.stderr.write(`${line}\n`) });
    this.out(`Created VM ${files.dir} (variant ${this.variant}, release 1.0.0 on set A; repository with 1.1.0 and 1.2.0)\n`);
  }
}
