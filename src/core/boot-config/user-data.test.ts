import { describe, expect, test } from 'bun:test';
import { gzipSync } from 'node:zlib';
import { BrktError } from '../errors';
import { maybeGunzip, mergeSettings, parseUserData } from './user-data';

const parse = (text: string) => parseUserData(text, 'user-data.toml');

describe('user data TOML (boot-config.md 2.1, settings.md 10)', () => {
  test('the settings.md example becomes the PATCH body', () => {
    expect(parse('[settings]\nmotd = "my own value!"\n[settings.kubernetes.node-labels]\n"example.com/role" = "web"\n')).toEqual({
      motd: 'my own value!',
      kubernetes: { 'node-labels': { 'example.com/role': 'web' } },
    });
  });
  test('host containers example', () =>
    expect(parse('[settings.host-containers.admin]\nenabled = true')).toEqual({ 'host-containers': { admin: { enabled: true } } }));
  test('other top-level tables are ignored', () => expect(parse('[other]\nx = 1\n[settings]\nmotd = "m"')).toEqual({ motd: 'm' }));
  test('no settings section', () =>
    expect(() => parse('[other]\nx = 1')).toThrow("TOML data did not contain 'settings' section (user data from user-data.toml)"));
  test('a TOML error names the line and column', () => {
    expect(() => parse('[settings]\nmotd = "unterminated\nx = 1\n')).toThrow(/^Error parsing TOML user data from user-data\.toml: line 2, column \d+: /);
  });
  test('errors are one line', () => {
    const error = (() => { try { parse('[settings]\n= broken'); } catch (e) { return e as Error; } })();
    expect(error).toBeInstanceOf(BrktError);
    expect(error!.message).not.toContain('\n');
  });
  test('a date-time fails naming the key', () =>
    expect(() => parse('[settings.updates]\nwhen = 1979-05-27T07:32:00Z')).toThrow('User data from user-data.toml: settings.updates.when is a TOML date-time'));
  test('settings must be a table', () => expect(() => parse('settings = 3')).toThrow("'settings' must be a table"));
  test('empty user data is none', () => {
    expect(parse('')).toBeUndefined();
    expect(parse(' \n\t')).toBeUndefined();
  });
  test('gzip-compressed user data', () =>
    expect(parseUserData(new Uint8Array(gzipSync('[settings]\nmotd = "zipped"\n')), 'x')).toEqual({ motd: 'zipped' }));
  test('bytes that are not UTF-8', () => expect(() => parseUserData(new Uint8Array([0xff, 0xfe]), 'x')).toThrow('is not UTF-8'));
});

describe('gzip detection (upstream vectors)', () => {
  test.each(['', '4', '42', 'hi there'])('gzip of %p decodes back', text =>
    expect(new TextDecoder().decode(maybeGunzip(new Uint8Array(gzipSync(text)), 'x'))).toBe(text));
  test('a lone 0x1f byte is returned unchanged', () => expect(maybeGunzip(new Uint8Array([0x1f]), 'x')).toEqual(new Uint8Array([0x1f])));
  test('plain text is returned unchanged', () => expect(maybeGunzip(new TextEncoder().encode('[settings]'), 'x')).toEqual(new TextEncoder().encode('[settings]')));
  test('a broken gzip stream fails', () => expect(() => maybeGunzip(new Uint8Array([0x1f, 0x8b, 1, 2]), 'x')).toThrow('Failed to decompress user data from x'));
});

describe('merging user data', () => {
  test('tables merge, later scalars and arrays replace', () => {
    expect(mergeSettings(
      { aws: { region: 'us-east-1' }, ntp: { 'time-servers': ['a', 'b'] }, motd: 'x' },
      { aws: { region: 'eu-west-1' }, ntp: { 'time-servers': ['c'] }, kubernetes: { 'node-labels': { a: 'b' } } },
    )).toEqual({ aws: { region: 'eu-west-1' }, ntp: { 'time-servers': ['c'] }, motd: 'x', kubernetes: { 'node-labels': { a: 'b' } } });
  });
});
