import { Command, Option } from 'clipanion';
import { FleetSendCommand, TARGET_DETAILS } from './options';
import { settingsSetCommandLine } from '../../core/fleet/remote-commands';

export class FleetSettingsSetCommand extends FleetSendCommand {
  static override paths = [['settings', 'set']];
  static override usage = Command.Usage({
    description: 'Make the same settings change on many hosts',
    details: `Runs \`apiclient set KEY=VALUE ...\` on every target (one transaction per host, committed and applied there) and prints one row per instance. ${TARGET_DETAILS}`,
    examples: [['Set the motd of every host tagged Name=web', `$0 fleet settings set --targets key=tag:Name,values=web motd='hello web'`]],
  });
  pairs = Option.Rest({ name: 'KEY=VALUE' });

  async run() {
    return this.sendAndReport(() => settingsSetCommandLine(this.pairs));
  }
}
