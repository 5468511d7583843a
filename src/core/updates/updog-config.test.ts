import { describe, expect, test } from 'bun:test';
import { EMBEDDED_TEMPLATES } from '../../templates';
import { renderTemplate } from '../templates/render';
import { parseUpdogConfig, proxyEnvironment } from './updog-config';

const BASE = `metadata_base_url = "https://updates.example/2020-07-07/aws-k8s-1.30/x86_64/"
targets_base_url = "https://updates.example/targets/"
seed = 1487
version_lock = "latest"
ignore_waves = false
`;

describe('parseUpdogConfig (updates.md 5.6)', () => {
  test('the required keys; unknown keys ignored; paused defaults to false', () => {
    expect(parseUpdogConfig(BASE + 'something_new = 3\n', '/etc/updog.toml')).toEqual({
      metadataBaseUrl: 'https://updates.example/2020-07-07/aws-k8s-1.30/x86_64/',
      targetsBaseUrl: 'https://updates.example/targets/',
      seed: 1487,
      versionLock: 'latest',
      ignoreWaves: false,
      paused: false,
    });
  });

  test('proxy keys and the andon cord', () => {
    const config = parseUpdogConfig(BASE + 'https_proxy = "http://proxy.example:3128"\nno_proxy = ["localhost", "169.254.169.254"]\npaused = true\n', 'u');
    expect(config).toMatchObject({ httpsProxy: 'http://proxy.example:3128', noProxy: ['localhost', '169.254.169.254'], paused: true });
    expect(proxyEnvironment(config)).toEqual({ HTTPS_PROXY: 'http://proxy.example:3128', NO_PROXY: 'localhost,169.254.169.254' });
  });

  test('no_proxy without https_proxy sets nothing', () => {
    expect(proxyEnvironment(parseUpdogConfig(BASE + 'no_proxy = ["localhost"]\n', 'u'))).toEqual({});
  });

  test.each([
    [BASE.replace(/seed = 1487\n/, ''), 'Failed to parse config file u: seed is missing'],
    [BASE.replace('seed = 1487', 'seed = -1'), 'Failed to parse config file u: seed is not an unsigned 32-bit integer'],
    [BASE.replace('seed = 1487', 'seed = 4294967296'), 'Failed to parse config file u: seed is not an unsigned 32-bit integer'],
    [BASE.replace('seed = 1487', 'seed = "7"'), 'Failed to parse config file u: seed is not an unsigned 32-bit integer'],
    [BASE.replace('ignore_waves = false', 'ignore_waves = "no"'), 'Failed to parse config file u: ignore_waves is not a boolean'],
    [BASE.replace(/version_lock.*\n/, ''), 'Failed to parse config file u: version_lock is missing'],
    [BASE + 'no_proxy = "localhost"\n', 'Failed to parse config file u: no_proxy is not an array of strings'],
    [BASE + 'seed = 3\n', 'Failed to parse config file u:'],
  ])('refuses a bad file (%#)', (text, message) => {
    expect(() => parseUpdogConfig(text, 'u')).toThrow(message);
  });
});

describe('the rendered updog.toml reaches the parser', () => {
  const updates = { 'metadata-base-url': 'https://u.example/m/', 'targets-base-url': 'https://u.example/t/', seed: 7, 'version-lock': 'latest', 'ignore-waves': false };
  const render = (settings: unknown) => renderTemplate(EMBEDDED_TEMPLATES.get('updog-toml')!, { settings }, 'updog-toml');

  test('settings.updates.paused = true is rendered and read', () => {
    expect(parseUpdogConfig(render({ updates: { ...updates, paused: true } }), 'u').paused).toBe(true);
  });

  test.each([[false], [undefined]])('paused = %p renders nothing and reads as false', paused => {
    const text = render({ updates: { ...updates, paused } });
    expect(text).not.toContain('paused');
    expect(parseUpdogConfig(text, 'u')).toMatchObject({ seed: 7, paused: false });
  });
});
