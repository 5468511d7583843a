// Hostile values set through the CLI either are refused (exit 2, nothing changes) or reach the
// rendered files exactly, with each file still readable by a real reader of its format.
import { expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import { hostServices } from '../../src/core/api/host-services';
import type { ApplyRequest } from '../../src/core/api/applier';
import { brkt } from '../helpers/brkt';
import { startApiServer } from '../helpers/api-server';
import { readChrony, readEnv, readHtmlText, readToml, readYaml } from '../helpers/config-formats';

const CA = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----').toString('base64');

test('values with quotes, backslashes, newlines and escapes keep every file valid and exact', async () => {
  let applier: ((request: ApplyRequest) => Promise<void>) | undefined;
  await using fixture = await startApiServer({ variant: 'aws-k8s-1.17', applier: request => applier!(request) });
  applier = hostServices(fixture.sandbox.platform).applier!;
  const settings = (...args: string[]) => brkt('brkt', ['settings', ...args, '--socket', fixture.socket], { root: fixture.sandbox.root });
  const file = (path: string) => readFileSync(fixture.sandbox.path(path), 'utf8');

  const metadataUrl = 'https://updates.example.com/meta/?a=1&b=2\\';
  const apiServer = 'https://api.example.com/"x\\';
  const pause = `example.com/pause:3.1 "$(id)" \`x\` \\`;
  const motd = 'hello & <world>\nsecond line';
  expect(await settings('set',
    `updates.metadata-base-url=${metadataUrl}`, 'updates.seed=3', 'network.no-proxy=["a\\"b","c\\\\","d\\te"]',
    'kubernetes.cluster-name=prod', `kubernetes.api-server=${apiServer}`, `kubernetes.cluster-certificate=${CA}`,
    'kubernetes.node-ip=10.0.0.5', 'kubernetes.cluster-dns-ip=10.100.0.10', `kubernetes.pod-infra-container-image=${pause}`, `motd=${motd}`,
  )).toEqual({ stdout: '', stderr: '', code: 0 });

  expect(readToml(file('etc/updog.toml'))).toMatchObject({ metadata_base_url: metadataUrl, seed: 3, no_proxy: ['a"b', 'c\\', 'd\te'] });
  expect((readYaml(file('etc/kubernetes/kubelet/kubeconfig')) as any).clusters[0].cluster.server).toBe(apiServer);
  expect(readEnv(file('etc/kubernetes/kubelet/env')).POD_INFRA_CONTAINER_IMAGE).toBe(pause);
  expect((readToml(file('etc/containerd/config.toml')) as any).plugins['io.containerd.grpc.v1.cri'].sandbox_image).toBe(pause);
  expect(readHtmlText(file('etc/motd'))).toBe(`${motd}\n`);
});

test('an NTP server or URL with a newline is refused before anything is staged', async () => {
  let applier: ((request: ApplyRequest) => Promise<void>) | undefined;
  await using fixture = await startApiServer({ variant: 'aws-dev', applier: request => applier!(request) });
  applier = hostServices(fixture.sandbox.platform).applier!;
  const settings = (...args: string[]) => brkt('brkt', ['settings', ...args, '--socket', fixture.socket], { root: fixture.sandbox.root });
  expect((await settings('set', 'ntp.time-servers=["time.example.com"]')).code).toBe(0);
  const chrony = readFileSync(fixture.sandbox.path('etc/chrony.conf'), 'utf8');
  expect(readChrony(chrony)[0]).toEqual(['pool', 'time.example.com', 'iburst']);

  const before = fixture.datastoreHash();
  for (const [arg, why] of [
    ['ntp.time-servers=["pool.ntp.org\\nrtcsync"]', 'must not contain whitespace, control or format characters'],
    ['ntp.time-servers=["pool.ntp.org\\ninitstepslew 1 x"]', 'not a valid URL'],
    ['ntp.time-servers=["example.com/a b"]', 'must not contain whitespace, control or format characters'],
    ['updates.targets-base-url=https://example.com/\nx', 'must not contain whitespace, control or format characters'],
  ]) {
    const result = await settings('set', arg!);
    expect({ arg, code: result.code, refused: result.stderr.includes(why!) }).toEqual({ arg, code: 2, refused: true });
  }
  expect(fixture.datastoreHash()).toBe(before);
  expect(readFileSync(fixture.sandbox.path('etc/chrony.conf'), 'utf8')).toBe(chrony);
});
