// The `updog` role (updates.md 5): upstream's command line, outputs and exit codes, so scripts
// written for updog keep working. Log lines go to stderr, so stdout stays machine-readable.
import { BrktError } from '../../core/errors';
import { requestReboot } from '../../core/bootloader/reboot';
import { activateStaged, applyUpdate, revertStaged } from '../../core/updates/apply';
import { updateToJson, type Update } from '../../core/updates/manifest';
import { proxyEnvironment, readUpdogConfig } from '../../core/updates/updog-config';
import { applicableFor, chooseFor, startUpdog } from '../../core/updates/updog-session';
import type { Platform } from '../../platform/types';
import { writeErr, writeOut } from '../output';
import { oneLine } from '../report';
import { parseUpdogArgs, usageText, UpdogUsageError, type UpdogArgs } from './args';

const pretty = (value: unknown) => JSON.stringify(value, null, 2) + '\n';
const line = (u: Update) => `${u.variant} ${u.version.text}\n`;

export async function runUpdog(args: string[], io: { shown: string; platform: Platform }): Promise<number> {
  let parsed: UpdogArgs;
  try {
    parsed = parseUpdogArgs(args);
  } catch (error) {
    if (!(error instanceof UpdogUsageError)) throw error;
    writeErr((error.message ? `${error.message}\n\n` : '') + usageText(io.shown));
    return 1;
  }
  try {
    return await runSubcommand(parsed, io.platform);
  } catch (error) {
    if (!(error instanceof BrktError)) throw error;
    // Upstream prints the bare message; as `brkt updog` the line names the program.
    writeErr(`${io.shown === 'updog' ? '' : `${io.shown}: `}${oneLine(error.message)}\n`);
    return 1;
  }
}

async function runSubcommand(args: UpdogArgs, platform: Platform): Promise<number> {
  const config = await readUpdogConfig(platform);
  // updates.md 5.2 step 3: the transport of this process goes through the configured proxy.
  Object.assign(process.env, proxyEnvironment(config));
  // Every subcommand loads the repository first, update-apply and update-revert too (4.3 Quirk).
  const session = await startUpdog(platform, { config, variant: args.variant });
  switch (args.subcommand) {
    case 'check-update':
    case 'whats': {
      if (args.all) {
        const updates = applicableFor(session, { ignoreWaves: args.ignoreWaves });
        // Quirk: without --json the list goes to stderr.
        if (args.json) writeOut(pretty(updates.map(updateToJson)));
        else writeErr(updates.map(line).join(''));
        return 0;
      }
      const update = chooseFor(session, { forced: args.image, ignoreWaves: args.ignoreWaves });
      if (!update) {
        writeErr('No update available\n');
        return 1;
      }
      writeOut(args.json ? pretty(updateToJson(update)) : line(update));
      return 0;
    }
    case 'update':
    case 'update-image': {
      const update = chooseFor(session, { forced: args.image, ignoreWaves: args.ignoreWaves });
      if (!update) {
        writeErr('No update required\n');
        return 0;
      }
      const activate = args.subcommand === 'update';
      await applyUpdate(session, update, { activate, log: text => writeErr(text + '\n'), tmpdir: platform.env('TMPDIR') });
      if (activate && args.reboot) await rebootLikeUpdog(platform);
      writeOut(args.json ? pretty(updateToJson(update)) : `Update applied: ${update.variant} ${update.version.text}\n`);
      return 0;
    }
    case 'update-apply':
      await activateStaged(platform, config);
      if (args.reboot) await rebootLikeUpdog(platform);
      return 0;
    case 'update-revert':
      await revertStaged(platform);
      return 0;
    case 'prepare':
      return 0;
  }
}

/** updog's initiate_reboot (host.md 3): SIGTERM is ignored from now on, then `shutdown -r`. */
async function rebootLikeUpdog(platform: Platform) {
  process.on('SIGTERM', () => {});
  await requestReboot(platform, { style: 'shutdown' });
}
