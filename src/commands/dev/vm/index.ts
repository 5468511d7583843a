import { DevVmAgentCommand } from './agent';
import { DevVmConsoleCommand } from './console';
import { DevVmCreateCommand } from './create';
import { DevVmExecCommand } from './exec';
import { DevVmStartCommand } from './start';
import { DevVmStopCommand } from './stop';
import { DevVmWaitCommand } from './wait';

export const vmCommands = [DevVmCreateCommand, DevVmStartCommand, DevVmExecCommand, DevVmWaitCommand, DevVmStopCommand, DevVmConsoleCommand, DevVmAgentCommand];
