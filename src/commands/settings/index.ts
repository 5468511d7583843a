// `brkt settings ...`: the settings commands, on the API socket of the root.
import { SettingsApplyCommand } from './apply';
import { SettingsDeleteCommand } from './delete';
import { SettingsDescribeCommand } from './describe';
import { SettingsDiffCommand } from './diff';
import { SettingsGetCommand } from './get';
import { SettingsHistoryCommand } from './history';
import { SettingsSchemaCommand } from './schema';
import { SettingsSetCommand } from './set';
import { settingKeyList } from './completion';

export const commands = [
  SettingsGetCommand,
  SettingsSetCommand,
  SettingsApplyCommand,
  SettingsDiffCommand,
  SettingsDescribeCommand,
  SettingsDeleteCommand,
  SettingsHistoryCommand,
  SettingsSchemaCommand,
];

/** Setting keys from the JSON Schema, completed after get/set/describe/delete. */
export const completionValues = () => {
  const keys = settingKeyList();
  return { 'settings get': keys, 'settings describe': keys, 'settings delete': keys, 'settings set': keys.map(key => `${key}=`) };
};
