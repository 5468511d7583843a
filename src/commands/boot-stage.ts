// `brkt boot-stage --disk DEV`: the gptprio step of a host's early boot stage (an initramfs).
// Prints shell assignments naming the chosen set's partitions; exit 1 when no set is bootable.
import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { chooseBootSet, formatStageChoice } from '../core/bootloader/boot-stage';

export class BootStageCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: "Choose the partition set to boot and spend its try, as GRUB's gptprio.next does",
    details: 'Run by an early boot stage (the initramfs of `brkt dev vm`) before any partition set is mounted. Reads the GPT of --disk, chooses the BOOT entry with the highest priority among those with tries left or marked successful (ties: set A), decrements its tries and writes the table (backup copy first), then prints BRKT_SET, BRKT_BOOT, BRKT_ROOT, BRKT_HASH and BRKT_PRIVATE as shell assignments. Exit 1 when no set is eligible; nothing is written then.',
    examples: [['In an initramfs', 'eval "$($0 boot-stage --disk /dev/vda)" && mount -o ro "$BRKT_ROOT" /newroot']],
  });
  disk = Option.String('--disk', { required: true, description: 'The OS disk (block device)' });
  json = Option.Boolean('--json', false, { description: 'Print the choice as JSON' });

  async run() {
    const choice = await chooseBootSet(this.platform, this.disk);
    if (this.json) return this.outJson(choice);
    this.out(formatStageChoice(choice));
  }
}

export const commands = [BootStageCommand];
