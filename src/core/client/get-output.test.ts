import { describe, expect, test } from 'bun:test';
import { canonicalJson, excludePrefixes } from './get-output';

// settings-now.md 8, vector 9, and apiclient get.rs's own cases.
const reply = { settings: { motd: 'hi', network: { hostname: 'h' }, 'network-x': { a: 'b' } } };

describe('excludePrefixes', () => {
  test.each([
    ['settings.network', { settings: { motd: 'hi' } }],
    ['settings.network.', { settings: { motd: 'hi', 'network-x': { a: 'b' } } }],
    ['settings.motd.', reply],
    ['settings.nothing', reply],
    ['settings', {}],
  ])('%s', (prefix, expected) => {
    expect(excludePrefixes(reply, [prefix])).toEqual(expected);
  });

  test('several prefixes, and the parents they empty go too', () => {
    const value = { os: { arch: 'x86_64' }, settings: { 'host-containers': { admin: { enabled: true }, control: { enabled: false } } } };
    expect(excludePrefixes(value, ['os.', 'settings.host-containers.admin'])).toEqual({ settings: { 'host-containers': { control: { enabled: false } } } });
    expect(excludePrefixes(value, ['settings.host-containers.'])).toEqual({ os: { arch: 'x86_64' } });
  });

  test('member names are joined raw: a dotted name is matched as written', () => {
    const labels = { settings: { kubernetes: { 'node-labels': { 'example.com/role': 'web', app: 'x' } } } };
    expect(excludePrefixes(labels, ['settings.kubernetes.node-labels.example.com'])).toEqual({ settings: { kubernetes: { 'node-labels': { app: 'x' } } } });
  });
});

describe('canonicalJson', () => {
  test('sorted keys, no whitespace', () => {
    expect(canonicalJson({ settings: { motd: 'hi' } })).toBe('{"settings":{"motd":"hi"}}');
    expect(canonicalJson({ b: [2, 1, { d: null, c: true }], a: 'x' })).toBe('{"a":"x","b":[2,1,{"c":true,"d":null}]}');
  });

  test('keys sort by UTF-8 bytes; strings escape only quote and backslash', () => {
    expect(canonicalJson({ 'é': 1, z: 2, Z: 3 })).toBe('{"Z":3,"z":2,"é":1}');
    expect(canonicalJson({ k: 'a"b\\c\nd\u0001' })).toBe('{"k":"a\\"b\\\\c\nd\u0001"}');
  });
});
