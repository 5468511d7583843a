// `brkt settings ...`: the settings commands (get/set/apply come with the client).
import { SettingsSchemaCommand } from './schema';

export const commands = [SettingsSchemaCommand];
