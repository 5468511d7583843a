// Crash safety: a child `brkt apiserver` is killed with SIGKILL at random instants while it
// commits multi-key transactions; after every kill the datastore loads and holds exactly the
// old or the new committed values, never a mix.
import { describe, expect, test } from 'bun:test';
import { prepareRoot, request, spawnServing } from '../helpers/api-server';
import { makeSandbox } from '../helpers/sandbox';
import { Datastore } from '../../src/core/datastore/store';
import { ApiServer } from '../../src/core/api/server';

const KILLS = 110;
const KEYS = ['settings.motd', 'settings.aws.region', 'settings.ntp.time-servers', 'settings.updates.version-lock'];

const generation = (n: number) => ({
  motd: `generation ${n}`,
  aws: { region: `region-${n}` },
  ntp: { 'time-servers': [`${n}.pool.example`] },
  updates: { 'version-lock': `v1.0.${n}` },
});
const generationTexts = (n: number) => [`"generation ${n}"`, `"region-${n}"`, `["${n}.pool.example"]`, `"v1.0.${n}"`];

const LANES = 5;

/** One sandbox and one kill loop; returns how the kills landed. */
async function killLoop(lane: number, kills: number) {
  await using sandbox = await makeSandbox({ init: false });
  await prepareRoot(sandbox, 'aws-dev', '1.0.0');
  const socket = sandbox.path('run/api.sock');
  const store = new Datastore(sandbox.platform.files, sandbox.platform.paths.datastore);
  // Generation 0 committed in-process, so every key has a known old value.
  const setup = await ApiServer.open(sandbox.platform);
  const headers = { 'content-type': 'application/json' };
  await setup.handle(new Request('http://localhost/settings?tx=crash', { method: 'PATCH', headers, body: JSON.stringify(generation(0)) }));
  expect((await setup.handle(new Request('http://localhost/tx/commit?tx=crash', { method: 'POST' }))).status).toBe(200);
  await setup.stop(); // the servers spawned below each claim the datastore in turn
  let committed = 0; // the generation known to be live
  const outcomes = { old: 0, new: 0, rolledForward: 0 };
  // Random kill delays spread over the PATCH+commit window, with a fixed seed per lane.
  let seed = 12345 + lane;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;

  for (let kill = 0; kill < kills; kill++) {
    const { child } = await spawnServing(['apiserver', '--socket', socket], { root: sandbox.root });
    const next = committed + 1;
    // Every fifth round the kill aims at the PATCH, the others at the commit.
    const duringPatch = kill % 5 === 0;
    const patch = request(socket, 'PATCH', '/settings?tx=crash', JSON.stringify(generation(next)));
    if (!duringPatch) expect((await patch).status).toBe(204);
    const work = (duringPatch ? patch.then(() => request(socket, 'POST', '/tx/commit?tx=crash')) : request(socket, 'POST', '/tx/commit?tx=crash')).then(
      reply => reply.status,
      () => 'killed' as const,
    );
    await Bun.sleep(random() * 20); // the kill instant, not a wait for a condition
    child.kill('SIGKILL');
    const status = await work;
    await child.exited;

    // What a restarted server does first: finish or discard, then load.
    if ((await store.recover()).some(line => line.startsWith('finished the interrupted commit'))) outcomes.rolledForward++;
    const live = await store.loadLive();
    const texts = KEYS.map(name => live.data.get(name)?.text);
    const isOld = JSON.stringify(texts) === JSON.stringify(generationTexts(committed));
    const isNew = JSON.stringify(texts) === JSON.stringify(generationTexts(next));
    expect({ lane, kill, texts, oldOrNew: isOld || isNew }).toEqual({ lane, kill, texts, oldOrNew: true });
    if (status === 200) expect({ lane, kill, isNew }).toEqual({ lane, kill, isNew: true }); // an acknowledged commit is durable
    if (isNew) {
      committed = next;
      outcomes.new++;
    } else outcomes.old++;
  }
  return outcomes;
}

describe('crash safety', () => {
  // Independent sandboxes, one test each: the kills add up to KILLS, the wall time does not.
  const totals = { old: 0, new: 0, rolledForward: 0 };
  test.each(Array.from({ length: LANES }, (_, lane) => lane))(`lane %i: ${Math.ceil(KILLS / LANES)} SIGKILLs during a commit loop leave old or new, never a mix`, async lane => {
    const outcomes = await killLoop(lane, Math.ceil(KILLS / LANES));
    totals.old += outcomes.old;
    totals.new += outcomes.new;
    totals.rolledForward += outcomes.rolledForward;
  });

  test(`${KILLS} kills in all landed before, inside and after the commit point`, () => {
    expect(totals.old + totals.new).toBeGreaterThanOrEqual(KILLS);
    expect(totals.old).toBeGreaterThan(0);
    expect(totals.new).toBeGreaterThan(0);
    expect(totals.rolledForward).toBeGreaterThan(0);
    console.log(`crash test: ${totals.old + totals.new} kills: ${totals.new} left the new values (${totals.rolledForward} by rolling an interrupted commit forward), ${totals.old} the old ones`);
  });
});
