// brkt's additions to the API: DELETE /settings (staged removal) and GET /tx/history.
import { describe, expect, test } from 'bun:test';
import { existsSync } from 'node:fs';
import { startApiServer } from '../helpers/api-server';

describe('DELETE /settings', () => {
  test('stages removal in a transaction; the commit removes the live files', async () => {
    await using api = await startApiServer({ variant: 'aws-dev' });
    await api.request('PATCH', '/settings', '{"host-containers":{"extra":{"source":"example.com/extra:1","enabled":true}},"aws":{"region":"us-west-2"}}');
    await api.request('POST', '/tx/commit');

    expect((await api.request('DELETE', '/settings?keys=settings.aws.region,settings.host-containers.extra&tx=cleanup')).status).toBe(204);
    expect(await api.json('/tx/list')).toEqual(['cleanup']);
    expect(await api.json('/tx?tx=cleanup')).toEqual({}); // removals are not values
    expect(await api.json('/settings?keys=settings.aws.region')).toEqual({ aws: { region: 'us-west-2' } }); // still live

    const committed = (await api.json('/tx/commit?tx=cleanup', 'POST')) as string[];
    expect(committed.sort()).toEqual(['settings.aws.region', 'settings.host-containers.extra.enabled', 'settings.host-containers.extra.source']);
    expect(await api.json('/settings?prefix=settings.aws')).toEqual({});
    expect(Object.keys(((await api.json('/settings')) as { 'host-containers': object })['host-containers'])).toEqual(['admin', 'control']);
    expect(existsSync(`${api.datastore}/live/settings/aws`)).toBe(false);
    expect(existsSync(`${api.datastore}/live/settings/host-containers/extra`)).toBe(false);

    // Deleting the transaction instead drops the staged removal.
    await api.request('DELETE', '/settings?keys=settings.motd');
    expect(await api.json('/tx', 'DELETE')).toEqual(['settings.motd']);
    expect(await api.json('/settings?keys=settings.motd')).toEqual({ motd: 'Welcome to Bottlerocket!' });
  });
});

describe('GET /tx/history', () => {
  test('records each commit with old and new values; secrets are redacted', async () => {
    await using api = await startApiServer({ variant: 'aws-dev' });
    await api.request('PATCH', '/settings', '{"motd":"one","aws":{"credentials":"c2VjcmV0","profile":"ops"}}');
    await api.request('POST', '/tx/commit');
    await api.request('PATCH', '/settings?tx=second', '{"motd":"two","aws":{"credentials":"bmV3"}}');
    await api.request('POST', '/tx/commit_and_apply?tx=second');
    const history = (await api.json('/tx/history')) as Array<{ id: number; tx: string; time: string; uid: number | null; changes: Array<{ key: string; old: unknown; new: unknown }> }>;
    expect(history.map(entry => entry.tx)).toEqual(['bottlerocket-launch', 'default', 'second']);
    expect(history.map(entry => entry.id)).toEqual([1, 2, 3]);
    const byKey = (entry: (typeof history)[number]) => Object.fromEntries(entry.changes.map(change => [change.key, [change.old, change.new]]));
    expect(byKey(history[1]!)).toEqual({
      'settings.motd': ['Welcome to Bottlerocket!', 'one'],
      'settings.aws.credentials': [null, '<redacted>'],
      'settings.aws.profile': [null, 'ops'],
    });
    expect(byKey(history[2]!)).toEqual({ 'settings.motd': ['one', 'two'], 'settings.aws.credentials': ['<redacted>', '<redacted>'] });
    expect(Date.parse(history[2]!.time)).toBeGreaterThanOrEqual(Date.parse(history[1]!.time));
    expect(JSON.stringify(history)).not.toContain('c2VjcmV0');
  });
});
