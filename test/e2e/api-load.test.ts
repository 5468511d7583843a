// Many clients at once: 20 clients each PATCH a new value into their own transaction and commit
// it, 50 times, all at the same time. Every committed value must be live afterwards, no 5xx.
import { describe, expect, test } from 'bun:test';
import { startApiServer } from '../helpers/api-server';

const CLIENTS = 20;
const ROUNDS = 50;

describe('load', () => {
  test(`${CLIENTS} concurrent clients x ${ROUNDS} PATCH+commit`, async () => {
    await using api = await startApiServer({ variant: 'aws-k8s-1.17' });
    const statuses = new Map<number, number>();
    const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
    const client = async (id: number) => {
      for (let round = 0; round < ROUNDS; round++) {
        const body = JSON.stringify({ kubernetes: { 'node-labels': { [`c${id}-r${round}`]: `v${round}` } } });
        const patched = await api.request('PATCH', `/settings?tx=client-${id}`, body);
        count(patched.status);
        const committed = await api.request('POST', `/tx/commit?tx=client-${id}`);
        count(committed.status);
        expect(JSON.parse(committed.body)).toEqual([`settings.kubernetes.node-labels.c${id}-r${round}`]);
        // Once acknowledged, the value is live for every reader.
        const label = `c${id}-r${round}`;
        expect(await api.json(`/settings?keys=settings.kubernetes.node-labels.${label}`)).toEqual({ kubernetes: { 'node-labels': { [label]: `v${round}` } } });
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, (_, id) => client(id)));

    expect(Object.fromEntries(statuses)).toEqual({ 204: CLIENTS * ROUNDS, 200: CLIENTS * ROUNDS });
    const labels = ((await api.json('/settings?prefix=settings.kubernetes.node-labels')) as { kubernetes: { 'node-labels': Record<string, string> } }).kubernetes['node-labels'];
    const expected: Record<string, string> = {};
    for (let id = 0; id < CLIENTS; id++) for (let round = 0; round < ROUNDS; round++) expected[`c${id}-r${round}`] = `v${round}`;
    expect(labels).toEqual(expected);
    expect(await api.json('/tx/list')).toEqual([]);
    // The history holds every commit, each client's in its own order.
    const history = (await api.json('/tx/history')) as Array<{ tx: string; changes: Array<{ key: string; new: unknown }> }>;
    const userCommits = history.filter(entry => entry.tx.startsWith('client-'));
    expect(userCommits.length).toBe(CLIENTS * ROUNDS);
    const rounds = userCommits.filter(entry => entry.tx === 'client-7').map(entry => entry.changes[0]!.new);
    expect(rounds).toEqual(Array.from({ length: ROUNDS }, (_, round) => `v${round}`));
    // A fresh server reading the files agrees with the in-memory view.
    await api.server.stop();
    const { ApiServer } = await import('../../src/core/api/server');
    const reopened = await ApiServer.open(api.sandbox.platform);
    const reply = await reopened.handle(new Request('http://localhost/settings?prefix=settings.kubernetes.node-labels'));
    expect((JSON.parse(await reply.text()) as { kubernetes: { 'node-labels': Record<string, string> } }).kubernetes['node-labels']).toEqual(expected);
  });
});
