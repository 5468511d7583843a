import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { describeStatus } from '../../core/update-api/foreground';
import type { StagedImage } from '../../core/update-api/status';

const image = (s: StagedImage) => `${s.image.version} (${s.image.variant}, ${s.image.arch})${s.next_to_boot ? ', boots next' : ''}`;

export class UpdateStatusCommand extends BrktCommand {
  static override paths = [['status']];
  static override usage = Command.Usage({
    description: "Show the update state machine's status (Idle, Available, Staged, Ready)",
    details: 'The status the update API serves at /updates/status. Before any update command since boot, the initial status (running image, state Idle).',
    examples: [['Show the update status', '$0 update status'], ['As JSON', '$0 update status --json']],
  });
  json = Option.Boolean('--json', false, { description: 'Print the status document as JSON (plus `paused`)' });

  async run() {
    const { status, initialized, paused } = await describeStatus(this.platform);
    if (this.json) return this.outJson({ ...status, paused: paused ?? null });
    const command = status.most_recent_command;
    const lines = [
      `State:        ${status.update_state}${initialized ? '' : ' (no update command since boot)'}`,
      `Running:      ${image(status.active_partition)}`,
      `Available:    ${status.available_updates.join(', ') || 'none known'}`,
      `Chosen:       ${status.chosen_update?.version ?? 'none'}`,
      `Staged:       ${status.staging_partition ? image(status.staging_partition) : 'none'}`,
      `Last command: ${command ? `${command.cmd_type} ${command.cmd_status} at ${command.timestamp}` : 'none'}`,
    ];
    if (command && command.cmd_status !== 'Success' && command.stderr.trim()) lines.push(`              ${command.stderr.trim().split('\n').at(-1)}`);
    const health = status.boot_health_failure;
    if (health) {
      const how = health.outcome === 'timed-out' ? 'timed out' : health.exit_status === null ? 'had no command' : `exit ${health.exit_status}`;
      lines.push(`Boot health:  version ${health.version} (set ${health.set}) failed check '${health.check}' (${how}) at ${health.timestamp}; rolled back ('brkt boot health' shows the output)`);
    }
    if (paused) lines.push('Paused:       yes (settings.updates.paused): checks report, but nothing is staged or activated');
    this.out(lines.join('\n') + '\n');
  }
}
