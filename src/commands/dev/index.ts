import { DevInitCommand } from './init';
import { vmCommands } from './vm';

export const commands = [DevInitCommand, ...vmCommands];
