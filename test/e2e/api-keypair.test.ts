// PATCH /settings/keypair (api.md 6.4 and test vector 19): upstream's server-side typing.
import { expect, test } from 'bun:test';
import { startApiServer } from '../helpers/api-server';

const patch = (items: unknown) => JSON.stringify({ request_payload: items });

test('19. keypair: typed values, quoted keys, split errors', async () => {
  await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
  const before = fixture.datastoreHash();
  const motd42 = await fixture.request('PATCH', '/settings/keypair?tx=kp', patch(['motd=42']));
  expect(motd42.status).toBe(400);
  expect(motd42.body).toContain('Please try the --json input form');
  const split = await fixture.request('PATCH', '/settings/keypair?tx=kp', patch(['motd']));
  expect(split).toMatchObject({ status: 400, body: 'Failed to split the string: motd' });
  const badKey = await fixture.request('PATCH', '/settings/keypair?tx=kp', patch(['motd..x=1']));
  expect(badKey.status).toBe(400);
  expect(badKey.body).toStartWith(`Prefix 'motd..x' is not a valid key: `);
  expect(fixture.datastoreHash()).toBe(before);

  const label = await fixture.request('PATCH', '/settings/keypair?tx=kp', patch(['kubernetes.node-labels."my.label"=hello']));
  expect(label.status).toBe(204);
  expect(await fixture.json('/tx?tx=kp')).toEqual({ kubernetes: { 'node-labels': { 'my.label': 'hello' } } });
});

test.each([
  [['settings.kubernetes.max-pods=110', 'updates.ignore-waves=true', 'motd=a=b', 'motd=last'], { kubernetes: { 'max-pods': 110 }, updates: { 'ignore-waves': true }, motd: 'last' }],
  [['kubernetes.cluster-name=prod'], { kubernetes: { 'cluster-name': 'prod' } }],
])('%p is typed as upstream types it', async (items, expected) => {
  await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
  expect((await fixture.request('PATCH', '/settings/keypair?tx=kp', patch(items))).status).toBe(204);
  expect(await fixture.json('/tx?tx=kp')).toEqual(expected);
});

test.each([
  ['kubernetes.max-pods=-5', 'floating point `-5.0`'],
  ['kubernetes.max-pods=1e3', 'floating point'],
  ['updates.seed=true', 'invalid type: boolean `true`'],
])('%s does not fit the model', async (item, mention) => {
  await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
  const reply = await fixture.request('PATCH', '/settings/keypair?tx=kp', patch([item]));
  expect(reply.status).toBe(400);
  expect(reply.body).toContain(mention);
  expect(await fixture.json('/tx/list')).toEqual([]);
});

test('a segment named __proto__ is a key like any other, never a prototype', async () => {
  await using fixture = await startApiServer({ variant: 'aws-k8s-1.17' });
  const reply = await fixture.request('PATCH', '/settings/keypair?tx=kp', patch(['kernel.sysctl.__proto__=x']));
  expect(reply.status).toBe(204);
  expect(JSON.stringify(await fixture.json('/tx?tx=kp'))).toBe('{"kernel":{"sysctl":{"__proto__":"x"}}}');
  expect(({} as Record<string, unknown>).x).toBeUndefined();
});
