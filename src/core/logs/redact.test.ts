import { expect, test } from 'bun:test';
import { REDACTED, dottedKey, redactSettings } from './redact';

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n';

test('upstream pointers and every user-data member are replaced, the keys stay, order is kept', () => {
  const input = {
    os: { version_id: '1.0.0' },
    settings: {
      motd: 'hi',
      kubernetes: { 'bootstrap-token': 'abc.def', 'server-key': 'a2V5', 'api-server': 'https://k8s' },
      network: { 'https-proxy': 'http://user:pw@proxy:3128', 'no-proxy': ['localhost'] },
      'container-registry': { credentials: [{ registry: 'docker.io', auth: 'c2VjcmV0' }] },
      aws: { config: 'W2RlZmF1bHRd', credentials: 'a2V5', region: 'us-west-2' },
      'host-containers': { admin: { enabled: true, 'user-data': 'c3NoLWtleQ==' } },
      'bootstrap-containers': { setup: { mode: 'once', 'user-data': 'IyEvYmluL3No' } },
      list: [{ 'user-data': 'x' }],
    },
  };
  const { document, keys } = redactSettings(input);
  expect(document).toEqual({
    os: { version_id: '1.0.0' },
    settings: {
      motd: 'hi',
      kubernetes: { 'bootstrap-token': REDACTED, 'server-key': REDACTED, 'api-server': 'https://k8s' },
      network: { 'https-proxy': REDACTED, 'no-proxy': ['localhost'] },
      'container-registry': { credentials: REDACTED },
      aws: { config: REDACTED, credentials: REDACTED, region: 'us-west-2' },
      'host-containers': { admin: { enabled: true, 'user-data': REDACTED } },
      'bootstrap-containers': { setup: { mode: 'once', 'user-data': REDACTED } },
      list: [{ 'user-data': REDACTED }],
    },
  });
  expect(Object.keys((document as { settings: object }).settings)).toEqual(Object.keys(input.settings));
  expect(keys).toEqual([
    'settings.kubernetes.bootstrap-token',
    'settings.network.https-proxy',
    'settings.kubernetes.server-key',
    'settings.container-registry.credentials',
    'settings.aws.config',
    'settings.aws.credentials',
    'settings.host-containers.admin.user-data',
    'settings.bootstrap-containers.setup.user-data',
    'settings.list.0.user-data',
  ]);
  expect(input.settings.motd).toBe('hi');
  expect(input.settings.kubernetes['bootstrap-token']).toBe('abc.def'); // the input is not changed
});

test('brkt also redacts certificates: named keys, PKI bundles and any PEM string', () => {
  const { document, keys } = redactSettings({
    settings: {
      kubernetes: { 'server-certificate': 'c2VydmVy', 'cluster-certificate': 'Y2E=' },
      pki: { 'my-ca': { data: 'LS0tLS1CRUdJTg==', trusted: true } },
      'custom.thing': { pem: CERT, many: ['plain', CERT] },
    },
  });
  expect(JSON.stringify(document)).not.toContain('BEGIN CERTIFICATE');
  expect(keys).toEqual([
    'settings.kubernetes.server-certificate',
    'settings.kubernetes.cluster-certificate',
    'settings.pki.my-ca.data',
    'settings."custom.thing".pem',
    'settings."custom.thing".many.1',
  ]);
  expect((document as any).settings.pki['my-ca'].trusted).toBe(true);
});

test('nothing to redact: the same document and no keys', () => {
  expect(redactSettings({ settings: { motd: 'hi' } })).toEqual({ document: { settings: { motd: 'hi' } }, keys: [] });
});

test.each([
  [['settings', 'motd'], 'settings.motd'],
  [['settings', 'kubernetes', 'node-labels', 'app.kubernetes.io/name'], 'settings.kubernetes.node-labels."app.kubernetes.io/name"'],
])('dottedKey(%p) = %p', (segments, key) => {
  expect(dottedKey(segments)).toBe(key);
});
