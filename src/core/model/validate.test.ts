// The modeled types of settings.md section 2 and the serde-style messages of validation.
import { describe, expect, test } from 'bun:test';
import { parseJson } from '../datastore/json-text';
import { settingsSchema } from './settings';
import { validateModel } from './validate';
import { variantDefaults, mergeDefaults } from './defaults';

const k8s = settingsSchema('aws-k8s-1.17');
const check = (json: string) => {
  const parsed = parseJson(json);
  return validateModel(k8s, parsed.value, { root: 'settings', floats: parsed.floats });
};
const field = (section: string, name: string, value: unknown) => JSON.stringify({ [section]: { [name]: value } });

describe('modeled types (settings.md 2)', () => {
  test.each([
    ['kubernetes', 'api-server', ['https://example.com/path', 'example.com', 'ntp://127.0.0.1', '127.0.0.1', 'localhost/path'], ['how are you', 'weird@']],
    ['updates', 'version-lock', ['latest', '1.0.5', 'v1.0.5', '1.0.3-beta.1.01', '1.0.0+build.7'], ['hi', '1.0', '1', 'v', 'v1', 'v1.0', 'vv1.1.0']],
    ['kubernetes', 'cluster-domain', ['cluster.local', 'dev.eks'], ['foo/com', '.a', '123.123.123.123', '[2001:db8::ff00:42:8329]', '']],
    ['kubernetes', 'cluster-name', ['prod', 'a', 'my.cluster-1'], ['', '-x', 'x-', 'a'.repeat(64)]],
    ['kubernetes', 'node-ip', ['10.0.0.1', '255.255.255.255'], ['10.0.0.256', '01.2.3.4', '1.2.3', 'a.b.c.d']],
    ['kubernetes', 'cluster-certificate', ['', 'aGk=', 'aGk', 'aGVsbG8='], ['not base64!', 'a', 'aGk= ']],
    ['kubernetes', 'pod-infra-container-image', ['registry/pause:3.1'], ['a\nb', 'a\u2028b']],
  ])('%s.%s', (section, name, valid, invalid) => {
    for (const value of valid as string[]) expect(() => check(field(section, name, value))).not.toThrow();
    for (const value of invalid as string[]) expect(() => check(field(section, name, value))).toThrow(`at key 'settings.${section}.${name}'`);
  });

  // The URL parser drops tabs and newlines: refused before parsing, or they reach a file raw.
  test.each([
    ['kubernetes', 'api-server', 'https://example.com/\nx'],
    ['kubernetes', 'api-server', 'example.com\tx'],
    ['kubernetes', 'api-server', 'https://example.com/a b'],
    ['kubernetes', 'api-server', 'https://example.com/\u001b[31m'],
    ['kubernetes', 'api-server', 'https://example.com/\u0085'],
    ['updates', 'metadata-base-url', 'https://example.com/\r'],
    ['kubernetes', 'api-server', 'https://example.com/\u202eexe.txt'],
    ['kubernetes', 'api-server', 'https://exa\u200bmple.com/'],
  ])('%s.%s refuses whitespace, control and format characters: %j', (section, name, value) =>
    expect(() => check(field(section, name, value))).toThrow('must not contain whitespace, control or format characters'));

  test.each(['cluster\u000b.local', 'cluster.local\u00a0', 'cluster.local\n', 'clus\tter.local', 'a\u202e.local', 'a\u0085.local'])('cluster-domain refuses %j', value =>
    expect(() => check(field('kubernetes', 'cluster-domain', value))).toThrow("Unable to deserialize into DNSDomain"));

  test('no string holds a NUL (it cannot be written into a configuration file)', () => {
    expect(() => check('{"motd":"a\\u0000b"}')).toThrow(`invalid value: string "a\\u0000b", expected a string without NUL characters at key 'settings.motd'`);
    expect(() => check('{"kubernetes":{"pod-infra-container-image":"x\\u0000"}}')).toThrow('without NUL characters');
  });

  test('an NTP server with a newline cannot smuggle a chrony directive', () =>
    expect(() => check('{"ntp":{"time-servers":["pool.ntp.org\\nrtcsync"]}}')).toThrow('Unable to deserialize into Url: must not contain whitespace, control or format characters'));

  test('label keys and values, taints (the v1.1 form: value optional, any alphanumeric effect)', () => {
    expect(() => check('{"kubernetes":{"node-labels":{"example.com/role":"web","app":""}}}')).not.toThrow();
    expect(() => check(`{"kubernetes":{"node-labels":{"${'a'.repeat(64)}":"x"}}}`)).toThrow('Invalid Kubernetes label key');
    expect(() => check('{"kubernetes":{"node-taints":{"dedicated":"gpu:NoSchedule","x":":Custom1"}}}')).not.toThrow();
    expect(() => check('{"kubernetes":{"node-taints":{"dedicated":"gpu"}}}')).toThrow('Invalid Kubernetes taint value');
  });

  test('ECS types on the ECS variant', () => {
    const ecs = settingsSchema('aws-ecs-1');
    const ok = { ecs: { 'instance-attributes': { 'a.b/c-d': 'x y@z:\\' }, loglevel: 'crit' } };
    expect(validateModel(ecs, ok, { root: 'settings' })).toEqual(ok);
    expect(() => validateModel(ecs, { ecs: { loglevel: 'INFO' } }, { root: 'settings' })).toThrow('ECSAgentLogLevel');
    expect(() => validateModel(ecs, { ecs: { 'instance-attributes': { k: ' lead' } } }, { root: 'settings' })).toThrow('Invalid ECS attribute value');
    expect(() => validateModel(ecs, { kubernetes: {} }, { root: 'settings' })).toThrow('unknown field `kubernetes`');
  });

  test('u32: integers only, no float tokens, in range; seed 0..2047', () => {
    expect(check('{"kubernetes":{"max-pods":4294967295}}')).toEqual({ kubernetes: { 'max-pods': 4294967295 } });
    expect(() => check('{"kubernetes":{"max-pods":4294967296}}')).toThrow('expected u32');
    expect(() => check('{"kubernetes":{"max-pods":1e2}}')).toThrow('invalid type: floating point `100.0`, expected u32');
    expect(() => check('{"kubernetes":{"max-pods":"1"}}')).toThrow('invalid type: string "1", expected u32');
    expect(check('{"updates":{"seed":2047}}')).toEqual({ updates: { seed: 2047 } });
  });

  test('boot-health: a command of at least one string, timeouts in 1..3600, named by Identifier', () => {
    const ok = { 'boot-health': { checks: { 'api-up': { command: ['/bin/true'], 'timeout-seconds': 3600 } }, 'window-seconds': 1 } };
    expect(check(JSON.stringify(ok))).toEqual(ok);
    for (const schema of ['aws-ecs-1', 'aws-dev', undefined]) expect(validateModel(settingsSchema(schema), ok, { root: 'settings' })).toEqual(ok);
    const checkOf = (value: unknown) => check(JSON.stringify({ 'boot-health': { checks: { c: value } } }));
    expect(() => checkOf({ command: [] })).toThrow("invalid length 0, expected at least 1 element at key 'settings.boot-health.checks.c.command'");
    expect(() => checkOf({ command: '/bin/true' })).toThrow('expected a sequence');
    expect(() => checkOf({ command: [1] })).toThrow('expected a string');
    expect(() => checkOf({ 'timeout-seconds': 0 })).toThrow('expected an integer in 1..=3600');
    expect(() => checkOf({ 'timeout-seconds': 3601 })).toThrow('expected an integer in 1..=3600');
    expect(() => checkOf({ shell: true })).toThrow('unknown field `shell`');
    expect(() => check('{"boot-health":{"window-seconds":0}}')).toThrow('expected an integer in 1..=3600');
    expect(() => check('{"boot-health":{"checks":{"a/b":{}}}}')).toThrow('Identifier');
    expect(() => check('{"boot-health":{"retries":1}}')).toThrow('unknown field `retries`');
  });

  test('output is in model order with sorted maps; nulls are "not given"', () => {
    const out = check('{"ntp":{"time-servers":["a"]},"motd":"m","kubernetes":{"node-labels":{"b":"2","a":"1"}},"aws":null}');
    expect(JSON.stringify(out)).toBe('{"motd":"m","kubernetes":{"node-labels":{"a":"1","b":"2"}},"ntp":{"time-servers":["a"]}}');
  });
});

describe('defaults (storewolf)', () => {
  test('merge: scalars and arrays on the right replace, tables merge, left-only keys stay', () => {
    const left = { top1: 'a', top2: 'b', settings: { inner: { inner_setting1: 1, inner_setting2: [1] } } };
    const right = { top1: 'z', settings: { setting: 's', inner: { inner_setting1: 9, inner_setting3: 3 } } };
    expect(mergeDefaults(left, right)).toEqual({ top1: 'z', top2: 'b', settings: { setting: 's', inner: { inner_setting1: 9, inner_setting2: [1], inner_setting3: 3 } } });
    expect(() => mergeDefaults({ a: { b: 1 } }, { a: 'x' })).toThrow('Defaults conflict at a');
  });

  test('aws-k8s-1.17 derives from the aws-k8s-1.15 override, with brkt\'s ntp fix', () => {
    const defaults = variantDefaults('aws-k8s-1.17');
    expect(defaults.settings.map(pair => pair.key.name).sort()).toEqual([
      'settings.host-containers.admin.enabled',
      'settings.host-containers.admin.superpowered',
      'settings.host-containers.control.enabled',
      'settings.host-containers.control.superpowered',
      'settings.kubernetes.cluster-domain',
      'settings.motd',
      'settings.ntp.time-servers',
      'settings.updates.ignore-waves',
      'settings.updates.targets-base-url',
      'settings.updates.version-lock',
    ]);
    const meta = Object.fromEntries(defaults.metadata.map(m => [`${m.key.name}@${m.name}`, m.text]));
    expect(meta['settings.ntp@affected-services']).toBe('["ntp"]');
    expect(meta['settings.kubernetes.pod-infra-container-image@affected-services']).toBe('["kubernetes","containerd"]');
    expect(meta['settings.updates.seed@setting-generator']).toBe('"bork seed"');
    const other = Object.fromEntries(defaults.other.map(pair => [pair.key.name, pair.text]));
    expect(other['configuration-files.containerd-config-toml.template-path']).toBe('"/usr/share/templates/containerd-config-toml_aws-k8s"');
    expect(other['services.kubernetes.configuration-files']).toBe('["kubelet-env","kubelet-config","kubelet-kubeconfig","kubernetes-ca-crt"]');
    expect(() => variantDefaults('aws-k8s-1.18')).toThrow("Unknown variant 'aws-k8s-1.18'");
  });
});
