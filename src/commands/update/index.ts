// `brkt update`: check, apply (--now, --reboot, --image), status and cancel (cli.md). The work
// goes through the update state machine in the foreground, under the update API's lock.
import { UpdateApplyCommand } from './apply';
import { UpdateCancelCommand } from './cancel';
import { UpdateCheckCommand } from './check';
import { UpdateStatusCommand } from './status';

export const commands = [UpdateApplyCommand, UpdateCheckCommand, UpdateStatusCommand, UpdateCancelCommand];
