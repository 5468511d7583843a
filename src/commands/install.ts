// `brkt install [--root DIR] [--dry-run]` (cli.md): brkt's systemd units, their enablement
// links and the tool links, written into a host (`/`) or an image tree (`--root`).
import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { formatPlan, install, installPlan } from '../core/install/install';

export class InstallCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: "Write brkt's systemd units and the tool links into a host or an image tree",
    details: 'Writes the units (migrator, storewolf, apiserver, early-boot-config, sundog, settings-applier, mark-successful-boot, the preconfigured and configured targets and their activate-* services) to usr/lib/systemd/system, enables them as systemctl enable would, makes preconfigured.target the default, adds the api group (274) for systemd-sysusers, copies this binary to usr/bin/brkt and links apiclient, apiserver, updog, signpost, logdog, sheltie and migrator to it. Running it again rewrites the same files. --dry-run prints every unit file and link and writes nothing.',
    examples: [
      ['Install into an image tree', '$0 --root ./rootfs install'],
      ['Show the units', '$0 install --dry-run'],
    ],
  });
  dryRun = Option.Boolean('--dry-run', false, { description: 'Print the unit files and links; write nothing' });
  json = Option.Boolean('--json', false, { description: 'Print the plan or the result as JSON' });

  async run() {
    const plan = installPlan();
    if (this.dryRun) return this.json ? this.outJson(plan) : this.out(formatPlan(plan));
    const result = await install(this.platform, plan);
    if (this.json) return this.outJson(result);
    this.out(`Installed ${result.files} files and ${result.links} links under ${result.root}\nbinary: ${result.binary}\n`);
  }
}

export const commands = [InstallCommand];
