// settings-now.md 8, vector 6: sundog against the real server (through a recording relay on a
// Unix socket): weak outputs in one PATCH, strong ones in a second, nothing when all are skipped.
import { expect, test } from 'bun:test';
import { readFileSync, existsSync } from 'node:fs';
import { request, startApiServer } from '../helpers/api-server';
import { recordingServer } from '../helpers/recording-server';
import { httpLaunchApi } from '../../src/core/boot-config/launch-api';
import { runSundog } from '../../src/core/boot-config/generators';

test('vector 6: one weak and one strong PATCH to bottlerocket-launch, then none once everything is populated', async () => {
  await using api = await startApiServer({ variant: 'aws-dev' });
  await using relay = recordingServer(async recorded => {
    const reply = await request(api.socket, recorded.method, recorded.uri, recorded.body || undefined);
    return { status: reply.status, body: reply.body };
  });
  await api.request('PATCH', '/settings', '{"aws":{"region":"us-west-2"}}');
  await api.json('/tx/commit', 'POST');
  const launch = httpLaunchApi(api.sandbox.platform, relay.socket);

  const first = await runSundog(api.sandbox.platform, launch, { random: () => 5 });
  expect(first.generated).toEqual(['settings.host-containers.admin.source', 'settings.host-containers.control.source', 'settings.updates.metadata-base-url', 'settings.updates.seed']);
  const patches = () => relay.requests.filter(r => r.method === 'PATCH');
  expect(relay.requests[0]!.uri).toBe('/v2/metadata/setting-generators');
  expect(patches().map(r => r.uri)).toEqual(['/settings?tx=bottlerocket-launch&strength=weak', '/settings?tx=bottlerocket-launch&strength=strong']);
  expect(JSON.parse(patches()[0]!.body)).toEqual({ 'host-containers': { admin: { source: '328549459982.dkr.ecr.us-west-2.amazonaws.com/bottlerocket-admin:v0.5.2' }, control: { source: '328549459982.dkr.ecr.us-west-2.amazonaws.com/bottlerocket-control:v0.4.1' } } });
  expect(JSON.parse(patches()[1]!.body)).toEqual({ updates: { 'metadata-base-url': 'https://updates.bottlerocket.aws/2020-07-07/aws-dev/x86_64/', seed: 5 } });

  expect(await launch.commit()).toHaveLength(4);
  const live = `${api.datastore}/live/settings`;
  expect(readFileSync(`${live}/host-containers/admin/source.strength`, 'utf8')).toBe('"weak"');
  expect(readFileSync(`${live}/host-containers/control/source.strength`, 'utf8')).toBe('"weak"');
  expect(existsSync(`${live}/updates/seed.strength`)).toBe(false); // strong over (absent) strong: nothing to write

  const before = relay.requests.length;
  const second = await runSundog(api.sandbox.platform, launch);
  expect(second.generated).toEqual([]);
  expect(relay.requests.slice(before).filter(r => r.method !== 'GET')).toEqual([]);
  expect(await api.json('/tx/list')).toEqual([]);
});
