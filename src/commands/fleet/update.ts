import { Command, Option } from 'clipanion';
import { FleetCommand, TARGET_DETAILS } from './options';
import { progressLine } from './progress';
import { BrktError } from '../../core/errors';
import { parsePercent, parseSeconds } from '../../core/fleet/targets';
import { updateCommandLine, VERSION_COMMAND_LINE } from '../../core/fleet/remote-commands';
import { runRollout, type RolloutEvent } from '../../core/fleet/rollout';
import { formatRollout, rolloutJson } from '../../core/fleet/results-table';
import { writeErr } from '../output';

export class FleetUpdateCommand extends FleetCommand {
  static override paths = [['update']];
  static override usage = Command.Usage({
    description: 'Update many hosts in waves, halting when a wave fails too often',
    details: `The first wave has --canary instances, each next wave is --growth times larger. Each wave runs \`brkt update --now --reboot\` (--update-command), then asks every instance for its version (\`apiclient get os\`, --version-command) until it reports a new one (--to-version: that one), within --timeout seconds (per wave, once to read the versions and once for the update). When a wave's failure share reaches --halt-at, the later waves are not touched; the table shows what was updated and what was not, and the exit code is 1. ${TARGET_DETAILS}`,
    examples: [
      ['Update every web host: 1 canary, then 2, 4, 8, ...', '$0 fleet update --targets key=tag:Name,values=web'],
      ['Three canaries, waves tripling, halt at 20% failures', '$0 fleet update --targets key=tag:Env,values=prod --canary 3 --growth 3 --halt-at 20%'],
      ['Upstream hosts without brkt', `$0 fleet update --instance-ids i-0123456789abcdef0 --update-command 'apiclient update apply --reboot'`],
    ],
  });
  canary = Option.String('--canary', '1', { description: 'Instances in the first wave' });
  growth = Option.String('--growth', '2', { description: 'Factor by which each next wave grows' });
  haltAt = Option.String('--halt-at', '10%', { description: "Halt when a wave's failure share reaches this" });
  timeout = Option.String('--timeout', '1200', { description: 'Seconds per wave to read the versions, and again to update and report the new version' });
  toVersion = Option.String('--to-version', { description: 'The version to reach (passed as --image; hosts already on it are skipped)' });
  document = Option.String('--document', 'AWS-RunShellScript', { description: 'SSM document that runs the shell lines' });
  updateCommand = Option.String('--update-command', { description: 'Shell line that updates and reboots a host' });
  versionCommand = Option.String('--version-command', VERSION_COMMAND_LINE, { description: 'Shell line that prints the running version' });

  async run() {
    const targets = this.parseTargets();
    const canary = Number(this.canary);
    const growth = Number(this.growth);
    if (!Number.isInteger(canary) || canary < 1) throw new BrktError('usage', `Invalid --canary '${this.canary}': expected a whole number of at least 1`);
    if (!(growth >= 1)) throw new BrktError('usage', `Invalid --growth '${this.growth}': expected a factor of at least 1`);
    if (this.updateCommand?.trim() === '' || this.versionCommand.trim() === '') throw new BrktError('usage', 'Empty command: --update-command and --version-command need a shell line');
    const haltAtPercent = parsePercent('--halt-at', this.haltAt);
    const options = {
      targets, canary, growth, haltAtPercent,
      document: this.document,
      timeoutMs: parseSeconds('--timeout', this.timeout),
      pollMs: this.pollMs(),
      updateCommandLine: this.updateCommand ?? updateCommandLine(this.toVersion),
      versionCommandLine: this.versionCommand,
      version: this.toVersion,
    };
    const progress = await progressLine();
    const onEvent = (event: RolloutEvent) => {
      progress.show(describeEvent(event));
      if (event.kind === 'wave-end') progress.end(true); // one line per finished wave stays on screen
    };
    const report = await this.withSsm(api => runRollout(api, { ...options, onEvent }));
    progress.end();
    if (this.json) this.outJson(rolloutJson(report));
    else this.out(formatRollout(report, haltAtPercent));
    const last = report.waves.at(-1);
    if (report.halted && last) {
      writeErr(`${this.context.shown}: Rollout halted after wave ${last.wave} of ${report.plannedWaves}: ${last.failed} of ${last.instanceIds.length} instances failed\n`);
    }
    return report.instances.every(instance => instance.outcome === 'updated') ? 0 : 1;
  }
}

function describeEvent(event: RolloutEvent): string {
  switch (event.kind) {
    case 'wave-start':
      return `Wave ${event.wave}/${event.of}: updating ${event.instanceIds.length} instance(s)`;
    case 'progress':
      return `Wave ${event.wave}: ${event.updated} updated, ${event.failed} failed, ${event.pending} pending`;
    case 'wave-end':
      return `Wave ${event.wave.wave}: ${event.wave.updated} updated, ${event.wave.failed} failed${event.halting ? ', halting' : ''}`;
  }
}
