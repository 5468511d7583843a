import { Command, Option } from 'clipanion';
import { FleetSendCommand, TARGET_DETAILS } from './options';
import { remoteCommandLine } from '../../core/fleet/remote-commands';

export class FleetRunCommand extends FleetSendCommand {
  static override paths = [['run']];
  static override usage = Command.Usage({
    description: 'Run a brkt or apiclient command on many hosts through SSM Run Command',
    details: `ARGS after \`--\` run as \`brkt ARGS\` on every target (as given when they start with apiclient or brkt), through AWS-RunShellScript unless --document names another. Waits for every instance (a live progress line on a terminal), then prints one row per instance: ID, status, exit code, first output line. Exit 0 when every instance succeeded, 1 otherwise, 2 for bad usage (nothing is sent). ${TARGET_DETAILS}`,
    examples: [
      ['Read the motd of two hosts', '$0 fleet run --instance-ids i-0123456789abcdef0,i-0fedcba9876543210 -- settings get motd'],
      ['Run apiclient on every host tagged Name=web, 10 at a time', '$0 fleet run --targets key=tag:Name,values=web --max-concurrency 10 -- apiclient get settings.motd'],
    ],
  });
  args = Option.Rest({ name: 'ARGS' });

  async run() {
    return this.sendAndReport(() => remoteCommandLine(this.args));
  }
}
