import { Command, Option } from 'clipanion';
import { FleetSendCommand, TARGET_DETAILS } from './options';
import { progressLine } from './progress';
import { settingsSetCommandLine } from '../../core/fleet/remote-commands';
import { runFleetCommand } from '../../core/fleet/run-command';
import { commandResultJson, formatCommandResult, formatProgress } from '../../core/fleet/results-table';

export class FleetSettingsSetCommand extends FleetSendCommand {
  static override paths = [['settings', 'set']];
  static override usage = Command.Usage({
    description: 'Make the same settings change on many hosts',
    details: `Runs \`apiclient set KEY=VALUE ...\` on every target (one transaction per host, committed and applied there) and prints one row per instance. ${TARGET_DETAILS}`,
    examples: [['Set the motd of every host tagged Name=web', `$0 fleet settings set --targets key=tag:Name,values=web motd='hello web'`]],
  });
  pairs = Option.Rest({ name: 'KEY=VALUE' });

  async run() {
    const targets = this.parseTargets();
    const commandLine = settingsSetCommandLine(this.pairs);
    const rates = this.rates();
    const wait = { timeoutMs: this.timeoutMs(), pollMs: this.pollMs() };
    const progress = await progressLine();
    const result = await this.withSsm(api =>
      runFleetCommand(api, { document: this.document, commandLine, targets, ...rates }, { ...wait, onProgress: counts => progress.show(formatProgress(counts)) }));
    progress.end();
    if (this.json) this.outJson(commandResultJson(result));
    else this.out(formatCommandResult(result));
    return result.succeeded ? 0 : 1;
  }
}
