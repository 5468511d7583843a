// `brkt fleet`: run brkt commands across many hosts through AWS Systems Manager.
import { FleetRunCommand } from './run';
import { FleetSettingsSetCommand } from './settings-set';
import { FleetUpdateCommand } from './update';

export const commands = [FleetRunCommand, FleetSettingsSetCommand, FleetUpdateCommand];
