import { describe, expect, test } from 'bun:test';
import { decodeUserData, hostContainerEnv, isAffected } from './manage';
import { bootstrapEnv, installDropIn } from '../bootstrap-containers/manage';

describe('which containers a change affects (CHANGED_SETTINGS)', () => {
  test.each([
    [[], true],
    [['settings.host-containers.admin.enabled'], true],
    [['settings.host-containers.administrator.enabled'], false],
    [['settings.host-containers.control.source'], false],
    [['settings.network.https-proxy'], true],
  ])('%p -> %p for admin', (changed, expected) => {
    expect(isAffected('admin', changed, 'host-containers')).toBe(expected);
  });
});

test('the env file has upstream shape', () => {
  expect(hostContainerEnv({ source: 'example.com/admin:v1', enabled: true, superpowered: true })).toBe(
    'CTR_SUPERPOWERED=true\nCTR_SOURCE=example.com/admin:v1\n\n# Just for reference; service is enabled or disabled by host-containers service\n# CTR_ENABLED=true\n',
  );
  expect(bootstrapEnv({ source: 'example.com/b:1', mode: 'once' })).toBe('CTR_SOURCE=example.com/b:1\nCTR_MODE=once\n');
  expect([installDropIn(true), installDropIn(false)]).toEqual(['[Install]\nRequiredBy=configured.target\n', '[Install]\nWantedBy=configured.target\n']);
});

test('user data is standard padded base64 (upstream test vector Zm9vCg==)', () => {
  expect(new TextDecoder().decode(decodeUserData('foo', 'Zm9vCg=='))).toBe('foo\n');
  expect(() => decodeUserData('foo', 'Zm9vCg')).toThrow('Invalid base64 user data of foo');
  expect(() => decodeUserData('foo', 'Zm9v_g==')).toThrow('Invalid base64 user data of foo');
});
