import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { BrktError } from '../../core/errors';
import { requestReboot, type RebootOutcome } from '../../core/bootloader/reboot';
import { updateInForeground } from '../../core/update-api/foreground';
import { inProcessUpdog } from '../../core/update-api/updog-operations';
import { parseVersion } from '../../core/updates/version';
import { makeProgressBar } from './progress';

export class UpdateApplyCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Download, verify and write the chosen update to the inactive partition set, and make it boot next',
    details: 'Refreshes the update list, writes exactly the chosen version (root, boot and hash images, verified against the signed repository) and marks it to boot next. The running set is never written; a failure leaves the other set unbootable. Shows a progress bar on a terminal.',
    examples: [
      ['Update now, ignoring waves, and reboot into it', '$0 update --now --reboot'],
      ['Install a specific version', '$0 update --image 1.2.0'],
    ],
  });
  now = Option.Boolean('--now,-n', false, { description: 'Ignore the release waves' });
  reboot = Option.Boolean('--reboot,-r', false, { description: 'Reboot into the update when it is applied' });
  image = Option.String('--image,-i', { description: 'Install this version (older or newer), whatever the version lock says' });
  json = Option.Boolean('--json', false, { description: 'Print the outcome and the update status as JSON' });

  async run() {
    const forced = this.image === undefined ? undefined : parseVersion(this.image, '--image version');
    const bar = await makeProgressBar();
    const updog = inProcessUpdog(this.platform, {
      tmpdir: this.platform.env('TMPDIR'),
      log: line => bar.log(line),
      onImage: event => (event.phase === 'start' ? bar.start(event.image, event.total) : bar.done(event.image, event.total)),
      onProgress: progress => bar.update(progress),
    });
    const outcome = await updateInForeground(this.platform, updog, { ignoreWaves: this.now, forced });
    const image = outcome.status.active_partition.image;
    // Asked for one version and it is not there: the command failed.
    if (forced && outcome.kind === 'no-update') throw new BrktError('not-found', `Update ${forced.text} is not available for ${image.variant} ${image.arch} in the repository`);
    let reboot: RebootOutcome | undefined;
    if (this.reboot && outcome.kind !== 'no-update') reboot = await requestReboot(this.platform);
    if (this.json) return this.outJson({ outcome: outcome.kind, version: outcome.kind === 'no-update' ? null : outcome.version, reboot: reboot ?? null, status: outcome.status });
    if (outcome.kind === 'no-update') {
      this.out(`No update required: ${image.version} is the latest available for ${image.variant} ${image.arch}\n`);
    } else {
      const verb = outcome.kind === 'applied' ? 'Update applied' : 'Update already applied';
      this.out(`${verb}: ${image.variant} ${outcome.version}; it boots next${reboot ? '' : " (run 'brkt reboot')"}\n`);
    }
    if (reboot?.kind === 'booted') this.out(`Rebooted: set ${reboot.set} runs ${reboot.version}\n`);
    else if (reboot?.kind === 'signalled') this.out(`Rebooting: the serving brkt boot (pid ${reboot.pid}) boots again\n`);
    else if (reboot?.kind === 'host') this.out('Rebooting\n');
  }
}
