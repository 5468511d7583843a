import { Command } from 'clipanion';
import { BrktCommand } from '../base';
import { cancelInForeground } from '../../core/update-api/foreground';
import { inProcessUpdog } from '../../core/update-api/updog-operations';

export class UpdateCancelCommand extends BrktCommand {
  static override paths = [['cancel']];
  static override usage = Command.Usage({
    description: 'Undo an applied update: the running partition set boots next again',
    details: 'The update stays written on the inactive set (state Staged); `brkt update` makes it boot next again.',
    examples: [['Cancel the update waiting for a reboot', '$0 update cancel']],
  });

  async run() {
    const status = await cancelInForeground(this.platform, inProcessUpdog(this.platform));
    this.out(`Canceled: ${status.active_partition.image.version} boots next; ${status.staging_partition!.image.version} stays staged\n`);
  }
}
