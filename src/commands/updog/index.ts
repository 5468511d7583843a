// `brkt updog` and the `updog` role: both go through updog's own parser (updates.md 5); the
// clipanion classes only describe the subcommands for help and completions.
import { Command } from 'clipanion';
import type { CommandClass } from 'clipanion';
import { BrktCommand } from '../base';
import type { BrktContext } from '../context';
import { runUpdog } from './run-updog';

const DESCRIPTIONS: Array<[string, string]> = [
  ['check-update', 'Show if an update is available (--all, --json, --ignore-waves, --image V)'],
  ['update', 'Download, verify and write the chosen update, then make it boot next (--now, --reboot, --image V)'],
  ['update-image', 'Download and write an update without changing the boot flags'],
  ['update-apply', 'Make the written update boot next (--reboot)'],
  ['update-revert', "Undo update-apply: the running set boots next again"],
];

function describe(name: string, description: string): CommandClass<BrktContext> {
  return class extends BrktCommand {
    static override paths = [[name]];
    static override usage = Command.Usage({ description });
    async run() {
      return runUpdog([name], { shown: this.context.shown, platform: this.platform });
    }
  };
}

export const commands = DESCRIPTIONS.map(([name, description]) => describe(name, description));
export const runRole = runUpdog;
