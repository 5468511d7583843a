import { DevInitCommand } from './init';

export const commands = [DevInitCommand];
