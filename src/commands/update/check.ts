import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { BrktError } from '../../core/errors';
import { checkUpdate } from '../../core/update-api/foreground';
import { updateToJson } from '../../core/updates/manifest';

export class UpdateCheckCommand extends BrktCommand {
  static override paths = [['check']];
  static override usage = Command.Usage({
    description: 'Show the update that would be chosen (variant, arch, waves, version lock)',
    details: 'Reads the signed repository named in etc/updog.toml and changes nothing. Exits 1 when no update is available. `--json` prints the manifest entry, as `updog check-update --json` does.',
    examples: [['Check for an update', '$0 update check'], ['The manifest entry as JSON', '$0 update check --json']],
  });
  json = Option.Boolean('--json', false, { description: "Print the update's manifest entry as JSON" });

  async run() {
    const result = await checkUpdate(this.platform);
    if (!result.update) throw new BrktError('not-found', `No update available (running ${result.current.text}, variant ${result.variant})`);
    if (this.json) return this.outJson(updateToJson(result.update));
    const paused = result.paused ? '; updates are paused (settings.updates.paused), so it will not be applied' : '';
    this.out(`Update available: ${result.update.variant} ${result.update.version.text} (running ${result.current.text})${paused}\n`);
  }
}
