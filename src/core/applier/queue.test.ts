// bottlerocket#1711: two quick commits must leave the last committed state rendered and restarted.
import { describe, expect, test } from 'bun:test';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { applySettings } from './apply';
import { makeApplier } from './index';
import { ApplyQueue } from './queue';
import { MemorySettingsSource } from './source';
import { k8sState } from './test-state';

/** The next read of the settings can be held open, so a test decides when that apply goes on. */
class GatedSource extends MemorySettingsSource {
  reads = 0;
  private gate: Promise<void> | undefined;
  private open: (() => void) | undefined;
  private started: (() => void) | undefined;

  constructor() {
    super(k8sState());
  }

  /** Holds the next read; resolves once that read has taken its snapshot. */
  holdNextRead(): Promise<void> {
    this.gate = new Promise(resolve => (this.open = resolve));
    return new Promise(resolve => (this.started = resolve));
  }

  release() {
    this.open?.();
  }

  override async settings() {
    const snapshot = await super.settings(); // the state at the moment the applier asked
    this.reads++;
    const gate = this.gate;
    this.gate = undefined;
    if (gate) {
      this.started?.();
      await gate;
    }
    return snapshot;
  }
}

const chrony = (root: string) => Bun.file(`${root}/etc/chrony.conf`).text();

describe('concurrent applies', () => {
  test('without the queue, the race of bottlerocket#1711 leaves the older value on disk', async () => {
    await using sandbox = await makeSandbox();
    const source = new GatedSource();
    source.state.settings.ntp = { 'time-servers': ['first.example'] };
    const held = source.holdNextRead();
    const first = applySettings(sandbox.platform, source, ['settings.ntp.time-servers']);
    await held;
    source.state.settings.ntp = { 'time-servers': ['second.example'] };
    await applySettings(sandbox.platform, source, ['settings.ntp.time-servers']);
    source.release();
    await first;
    expect(await chrony(sandbox.root)).toStartWith('pool first.example iburst\n'); // stale
  });

  test('with the queue, the second commit is rendered and restarted after the first', async () => {
    await using sandbox = await makeSandbox();
    const source = new GatedSource();
    source.state.services.ntp!['restart-commands'] = ['/bin/true'];
    const queue = new ApplyQueue(keys => applySettings(sandbox.platform, source, keys).then(() => {}));

    source.state.settings.ntp = { 'time-servers': ['first.example'] };
    const held = source.holdNextRead();
    const first = queue.submit(['settings.ntp.time-servers']);
    await held; // the first apply holds a snapshot with first.example

    source.state.settings.ntp = { 'time-servers': ['second.example'] };
    const second = queue.submit(['settings.ntp.time-servers']);
    expect(queue.waiting).toBe(1); // queued behind the first, not racing it
    source.release();
    await Promise.all([first, second]);

    expect(await chrony(sandbox.root)).toStartWith('pool second.example iburst\n');
    expect(source.reads).toBe(2);
    const restarts = (await Bun.file(sandbox.platform.paths.restartLog).text()).trim().split('\n').map(line => JSON.parse(line).service);
    expect(restarts).toEqual(['ntp', 'ntp']); // one restart per apply, the last after the last render
  });

  test('requests that arrive while an apply runs are coalesced into one', async () => {
    await using sandbox = await makeSandbox();
    const source = new GatedSource();
    const apply = makeApplier(sandbox.platform, source);
    const held = source.holdNextRead();
    const first = apply({ keys: ['settings.motd'] });
    await held;
    source.state.settings.motd = 'one';
    const more = [apply({ keys: ['settings.motd'] }), apply({ keys: ['settings.ntp.time-servers'] })];
    source.state.settings.motd = 'two';
    more.push(apply({ keys: ['settings.motd'] }));
    source.release();
    await Promise.all([first, ...more]);
    expect(source.reads).toBe(2);
    expect(await Bun.file(sandbox.path('etc/motd')).text()).toBe('two\n');
    expect(await Bun.file(sandbox.path('etc/chrony.conf')).exists()).toBe(true);
  });

  test('an all-mode request absorbs key requests waiting with it', async () => {
    const runs: Array<string[] | undefined> = [];
    let releaseFirst!: () => void;
    const firstDone = new Promise<void>(resolve => (releaseFirst = resolve));
    const queue = new ApplyQueue(async keys => {
      runs.push(keys);
      if (runs.length === 1) await firstDone;
    });
    const first = queue.submit(['settings.motd']);
    const waiting = [queue.submit(['settings.ntp']), queue.submit(undefined), queue.submit(['settings.updates'])];
    releaseFirst();
    await Promise.all([first, ...waiting]);
    expect(runs).toEqual([['settings.motd'], undefined]);
  });

  test('a failed apply rejects every request of its batch, and the next batch still runs', async () => {
    let calls = 0;
    let releaseFirst!: () => void;
    const firstDone = new Promise<void>(resolve => (releaseFirst = resolve));
    const queue = new ApplyQueue(async () => {
      calls++;
      if (calls === 1) await firstDone;
      if (calls === 2) throw new Error('render failed');
    });
    const first = queue.submit(['a']);
    const failing = [queue.submit(['b']), queue.submit(['c'])].map(request => request.then(() => 'resolved', (error: Error) => error.message));
    releaseFirst();
    await first;
    expect(await Promise.all(failing)).toEqual(['render failed', 'render failed']);
    await queue.submit(['d']);
    expect(calls).toBe(3);
  });
});
