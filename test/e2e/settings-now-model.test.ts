// settings-now.md 5.3 and test vector 14: current upstream's validation, at PATCH on the real
// server. A refused value answers 400 and stages nothing.
import { describe, expect, test } from 'bun:test';
import { startApiServer } from '../helpers/api-server';
import { SAMPLE_CLUSTER_CA } from '../../src/core/sandbox/instance-metadata';

const PEM_BASE64 = btoa(SAMPLE_CLUSTER_CA);

describe('vector 14: refused at PATCH, nothing staged', () => {
  const refused: Array<[string, unknown, string]> = [
    ['77-character host container name', { 'host-containers': { ['a'.repeat(77)]: { enabled: true } } }, 'longer than 76 characters'],
    ['hostname -a', { network: { hostname: '-a' } }, "Invalid hostname '-a'"],
    ['hostname a..b', { network: { hostname: 'a..b' } }, "Invalid hostname 'a..b'"],
    ['hostname A', { network: { hostname: 'A' } }, "Invalid hostname 'A'"],
    ['sysctl key ../x', { kernel: { sysctl: { '../x': '1' } } }, "Invalid sysctl key '../x'"],
    ['hugepages size 3Mi', { kernel: { hugepages: { static: { '3Mi': { count: '1' } } } } }, "'3Mi': not a power of two"],
    ['oci rlimit -2', { 'oci-defaults': { 'resource-limits': { 'max-open-files': { 'hard-limit': -2 } } } }, 'RlimitValue'],
    ['a bootstrap command that is not apiclient', { 'bootstrap-commands': { x: { commands: [['/usr/bin/touch', 'x']] } } }, 'ApiclientCommand'],
    ['a pki bundle without a certificate', { pki: { x: { data: btoa('not a certificate') } } }, 'no PEM certificate'],
    ['a pki bundle with a broken certificate', { pki: { x: { data: btoa('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n') } } }, 'does not parse'],
    ['a kernel module name of 57 characters', { kernel: { modules: { ['m'.repeat(57)]: { allowed: false } } } }, 'Invalid kernel module name'],
    ['a boot parameter holding both quotes', { boot: { 'kernel-parameters': { console: [`a'"`] } } }, 'cannot hold both'],
    ['an unknown capability', { 'oci-defaults': { capabilities: { 'sys-everything': true } } }, "Invalid capability 'sys-everything'"],
  ];
  test.each(refused)('%s', async (_, body, message) => {
    await using api = await startApiServer();
    const before = api.datastoreHash();
    const reply = await api.request('PATCH', '/settings', JSON.stringify(body));
    expect(reply.status).toBe(400);
    expect(reply.body).toContain(message);
    expect(await api.json('/tx/list')).toEqual([]);
    expect(api.datastoreHash()).toBe(before);
  });
});

test('the current forms are accepted and stored normalised (aliases, "unlimited")', async () => {
  await using api = await startApiServer();
  const body = {
    'host-containers': { ['a'.repeat(76)]: { enabled: false, command: ['sleep', 'infinity'] } },
    'bootstrap-containers': { setup: { mode: 'once', command: ['/bin/true'] } },
    'bootstrap-commands': { lock: { commands: [['apiclient', 'set', 'motd=x']], mode: 'always', essential: true } },
    network: { hostname: 'node-1.example' },
    kernel: {
      sysctl: { 'net/ipv4/ip_forward': '1' },
      modules: { sctp: { allowed: false }, 'nf_conntrack': { autoload: true } },
      hugepages: { static: { essential: false, '2Mi': { count: '0:4,1:4' } }, transparent: { enabled: 'madvise', defrag: 'defer' } },
    },
    boot: { kernel: { console: ['tty0', 'ttyS0,115200n8'] }, init: { 'systemd.log_level': ['debug'] }, 'reboot-to-reconcile': true },
    pki: { mine: { data: PEM_BASE64, trusted: true }, blank: { data: '' } },
    dns: { 'name-servers': ['10.0.0.2', 'fd00::2'], 'search-list': ['example.com'] },
    'oci-defaults': { capabilities: { 'sys-admin': false }, 'resource-limits': { 'max-open-files': { 'hard-limit': 'unlimited', 'soft-limit': 1024 } } },
    'container-registry': { creds: [{ registry: 'docker.io', username: 'u', password: 'p' }] },
  };
  expect((await api.request('PATCH', '/settings', JSON.stringify(body))).status).toBe(204);
  const staged = (await api.json('/tx')) as Record<string, any>;
  expect(staged.boot).toEqual({ 'kernel-parameters': { console: ['tty0', 'ttyS0,115200n8'] }, 'init-parameters': { 'systemd.log_level': ['debug'] }, 'reboot-to-reconcile': true });
  expect(staged['oci-defaults']['resource-limits']['max-open-files']).toEqual({ 'hard-limit': -1, 'soft-limit': 1024 });
  expect(staged['container-registry']).toEqual({ credentials: [{ registry: 'docker.io', username: 'u', password: 'p' }] });
  expect(staged['bootstrap-commands']).toEqual({ lock: { commands: [['apiclient', 'set', 'motd=x']], mode: 'always', essential: true } });
  expect(staged.kernel.hugepages.static).toEqual({ essential: false, '2Mi': { count: '0:4,1:4' } });
});
