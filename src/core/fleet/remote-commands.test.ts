import { expect, test } from 'bun:test';
import { firstLine, parseReportedVersion, remoteCommandLine, settingsSetCommandLine, shellLine, updateCommandLine } from './remote-commands';
import { splitShell } from '../../../test/helpers/fake-ssm';

test.each([
  [['settings', 'get', 'motd'], 'brkt settings get motd'],
  [['apiclient', 'set', 'motd=hi there'], "apiclient set 'motd=hi there'"],
  [['brkt', 'update', 'check', '--json'], 'brkt update check --json'],
  [['settings', 'set', `kubernetes.node-labels."example.com/role"=web`], `brkt settings set 'kubernetes.node-labels."example.com/role"=web'`],
  [['api', '-u', '/settings?keys=settings.motd'], "brkt api -u '/settings?keys=settings.motd'"],
])('remoteCommandLine(%j)', (args, line) => {
  expect(remoteCommandLine(args)).toBe(line);
});

test.each([[[]], [['']], [[' ', '']]])('remoteCommandLine refuses an empty command %j', args => {
  expect(() => remoteCommandLine(args)).toThrow('Empty command');
});

test('shell quoting survives a shell word split', () => {
  const words = ['motd=it\'s "quoted"', '$(reboot)', 'a b', '', 'back\\slash', '`x`', 'ünï'];
  expect(splitShell(shellLine(['brkt', ...words]))).toEqual(['brkt', ...words]);
});

test('settings set becomes apiclient set; a pair without a key is refused', () => {
  expect(settingsSetCommandLine(['motd=hi', 'ntp.time-servers=["a"]'])).toBe(`apiclient set motd=hi 'ntp.time-servers=["a"]'`);
  expect(() => settingsSetCommandLine([])).toThrow('No settings: give KEY=VALUE pairs');
  expect(() => settingsSetCommandLine(['motd'])).toThrow("Invalid setting 'motd': expected KEY=VALUE");
  expect(() => settingsSetCommandLine(['=x'])).toThrow("Invalid setting '=x': expected KEY=VALUE");
});

test('the update line ignores repository waves and names a version when asked', () => {
  expect(updateCommandLine()).toBe('brkt update --now --reboot');
  expect(updateCommandLine('1.2.0')).toBe('brkt update --now --reboot --image 1.2.0');
});

test.each([
  ['{\n  "os": {\n    "arch": "x86_64",\n    "version_id": "1.20.3"\n  }\n}\n', '1.20.3'],
  ['[INFO] log line\n{"os":{"version_id":"1.2.0"}}\n', '1.2.0'],
  ['{"os":{"version_id":"1.2.0"}} trailing {', '1.2.0'],
  ['1.19.0\n', '1.19.0'],
  ['v1.19.0-rc1\n', '1.19.0-rc1'],
  ['{"os":{}}', undefined],
  ['Failed to send request: connection refused', undefined],
  ['', undefined],
])('parseReportedVersion(%p)', (output, version) => {
  expect(parseReportedVersion(output)).toBe(version);
});

test.each([
  ['\n\nhello\nworld', 'hello'],
  ['\n----------ERROR-------\nsh: brkt: not found\n', 'sh: brkt: not found'],
  ['{\n  "settings": {\n    "motd": "hi"\n  }\n}\n', '{"settings":{"motd":"hi"}}'],
  ['{ not json\nsecond', '{ not json'],
  ['', ''],
])('firstLine(%p)', (output, line) => {
  expect(firstLine(output)).toBe(line);
});
