// The host files of current upstream's locally-acted keys (settings-now.md 5.2), rendered from
// their shipped templates.
import { describe, expect, test } from 'bun:test';
import { X509Certificate } from 'node:crypto';
import { parse as parseToml } from 'smol-toml';
import { EMBEDDED_TEMPLATES, TEMPLATE_DIR } from '../../templates';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { SAMPLE_CLUSTER_CA } from '../sandbox/instance-metadata';
import { renderTemplate } from './render';
import { loadTemplate } from './resolve';

const render = (name: string, settings: Record<string, unknown>) =>
  renderTemplate(EMBEDDED_TEMPLATES.get(name)!, { settings, os: {}, services: {}, 'configuration-files': {} }, `${TEMPLATE_DIR}${name}`);

describe('kernel', () => {
  test('sysctl: corndog lines, keys sorted, the dash makes unknown keys non-fatal', () => {
    expect(render('sysctl-conf', { kernel: { sysctl: { 'vm.max_map_count': '262144', 'net.ipv4.tcp_rmem': '4096 87380 6291456' } } }))
      .toBe('-net.ipv4.tcp_rmem = 4096 87380 6291456\n-vm.max_map_count = 262144\n');
    expect(render('sysctl-conf', {})).toBe('');
  });
  test('sysctl: a value with a line break never reaches the file', () =>
    expect(() => render('sysctl-conf', { kernel: { sysctl: { a: '1\n-kernel.panic = 1' } } })).toThrow('one line'));
  test('modules: not allowed -> blacklist and install /bin/true; autoload -> modules-load.d', () => {
    const kernel = { modules: { sctp: { allowed: false }, udf: { allowed: true }, nvme_tcp: { autoload: true }, dccp: { allowed: false, autoload: false } } };
    expect(render('modprobe-conf', { kernel })).toBe('blacklist dccp\ninstall dccp /bin/true\nblacklist sctp\ninstall sctp /bin/true\n');
    expect(render('modules-load-conf', { kernel })).toBe('nvme_tcp\n');
  });
});

test('dns: resolv.conf', () => {
  expect(render('resolv-conf', { dns: { 'name-servers': ['10.0.0.2', 'fd00::2'], 'search-list': ['a.example', 'b.example'] } }))
    .toBe('nameserver 10.0.0.2\nnameserver fd00::2\nsearch a.example b.example\n');
  expect(render('resolv-conf', {})).toBe('');
});

test('oci-defaults: capabilities switched on and rlimits, -1 as RLIM_INFINITY', () => {
  const spec = render('cri-base-json', { 'oci-defaults': { capabilities: { chown: true, 'sys-admin': false, 'net-admin': true }, 'resource-limits': { 'max-open-files': { 'hard-limit': -1, 'soft-limit': 1024 } } } });
  expect(spec).toContain('"rlimits":[{"type":"RLIMIT_NOFILE","hard":18446744073709551615,"soft":1024}]');
  const parsed = JSON.parse(spec);
  expect(parsed.process.capabilities.effective).toEqual(['CAP_CHOWN', 'CAP_NET_ADMIN']);
  // Without settings, containerd's default set.
  expect(JSON.parse(render('cri-base-json', {})).process.capabilities.bounding).toContain('CAP_NET_BIND_SERVICE');
});

test('boot: bootconfig text, keys in stable order, single quotes for a value with "', () => {
  expect(render('bootconfig-data', { boot: { 'kernel-parameters': { 'console': ['tty0', 'ttyS0,115200n8'], 'audit': [] }, 'init-parameters': { 'systemd.log_level': ['say "hi"'] } } }))
    .toBe('kernel.audit\nkernel.console = "tty0", "ttyS0,115200n8"\ninit.systemd.log_level = \'say "hi"\'\n');
});

test('bootstrap-commands: the TOML the boot step reads', () => {
  const text = render('bootstrap-commands-toml', { 'bootstrap-commands': { z: { commands: [['apiclient', 'set', 'motd=z "q"']], mode: 'once' }, a: { commands: [['apiclient', 'lockdown']], mode: 'always', essential: true } } });
  expect(parseToml(text)).toEqual({ 'bootstrap-commands': { a: { commands: [['apiclient', 'lockdown']], mode: 'always', essential: true }, z: { commands: [['apiclient', 'set', 'motd=z "q"']], mode: 'once' } } });
});

describe('pki: the CA bundle certdog writes', () => {
  const pki = { mine: { data: btoa(`junk before\n${SAMPLE_CLUSTER_CA}trailing junk\n`), trusted: true }, off: { data: btoa(SAMPLE_CLUSTER_CA), trusted: false } };
  test('the factory bundle first, then each trusted certificate re-encoded (text around it dropped)', async () => {
    await using sandbox = await makeSandbox();
    await sandbox.platform.files.mkdirp(sandbox.path('usr/share/factory/etc/pki/tls/certs'));
    await sandbox.platform.files.writeAtomic(sandbox.path('usr/share/factory/etc/pki/tls/certs/ca-bundle.crt'), '# factory {{settings.motd}}\nFACTORY');
    const text = await loadTemplate(sandbox.platform, `${TEMPLATE_DIR}ca-bundle-crt`);
    const bundle = renderTemplate(text, { settings: { pki, motd: 'x' } }, `${TEMPLATE_DIR}ca-bundle-crt`);
    expect(bundle).toStartWith('# factory {{settings.motd}}\nFACTORY\n# settings.pki.mine\n-----BEGIN CERTIFICATE-----\n');
    expect(bundle).not.toContain('junk');
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(new X509Certificate(bundle.slice(bundle.indexOf('-----BEGIN'))).subject).toBe('CN=kubernetes');
  });
  test('a missing factory bundle is an error, as for certdog', async () => {
    await using sandbox = await makeSandbox();
    await sandbox.platform.files.remove(sandbox.path('usr/share/factory/etc/pki/tls/certs/ca-bundle.crt'));
    await expect(loadTemplate(sandbox.platform, `${TEMPLATE_DIR}ca-bundle-crt`)).rejects.toThrow('includes /usr/share/factory/etc/pki/tls/certs/ca-bundle.crt, which is missing');
  });
});
