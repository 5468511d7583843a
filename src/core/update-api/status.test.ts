// The status document keeps upstream's members and order; brkt's boot_health_failure comes last
// and only when a boot failed its checks.
import { describe, expect, test } from 'bun:test';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { writeHealthRecord, type HealthRecord } from '../boot-health/record';
import { initialStatus, parseStatus } from './status';

const upstream = {
  update_state: 'Idle',
  available_updates: [],
  chosen_update: null,
  active_partition: { image: { arch: 'x86_64', version: '1.0.0', variant: 'aws-dev' }, next_to_boot: true },
  staging_partition: null,
  most_recent_command: null,
};
const failure = { version: '1.2.0', set: 'B', check: 'api', outcome: 'timed-out', exit_status: null, timestamp: '2026-12-03T08:00:00.000Z' };

const record = (outcome: 'passed' | 'failed'): HealthRecord => ({
  set: 'B', version: '1.2.0', outcome, startedAt: failure.timestamp, durationMs: 5, windowSeconds: 300,
  checks: [
    { name: 'api', command: ['x'], outcome: outcome === 'passed' ? 'passed' : 'timed-out', exitStatus: outcome === 'passed' ? 0 : null, stoppedBy: 'timeout', durationMs: 5, outputTail: [], outputPath: '/x' },
    { name: 'disk', command: ['y'], outcome: 'passed', exitStatus: 0, durationMs: 5, outputTail: [], outputPath: '/y' },
  ],
});

describe('status document', () => {
  test('a file without the member parses to exactly upstream\'s document', () => {
    expect(JSON.stringify(parseStatus(JSON.stringify(upstream), 'status.json'))).toBe(JSON.stringify(upstream));
  });

  test('the member is kept, after upstream\'s members, whatever the file order', () => {
    const parsed = parseStatus(JSON.stringify({ boot_health_failure: failure, ...upstream }), 'status.json');
    expect(Object.keys(parsed)).toEqual([...Object.keys(upstream), 'boot_health_failure']);
    expect(parsed.boot_health_failure).toEqual(failure as never);
    expect(() => parseStatus(JSON.stringify({ ...upstream, boot_health_failure: 'x' }), 'status.json')).toThrow('boot_health_failure is malformed');
  });

  test('the initial status names the first failed check of the last judgement, and nothing after a pass', async () => {
    await using sandbox = await makeSandbox();
    expect((await initialStatus(sandbox.platform)).boot_health_failure).toBeUndefined();
    await writeHealthRecord(sandbox.platform, record('failed'));
    expect((await initialStatus(sandbox.platform)).boot_health_failure).toEqual(failure as never);
    await writeHealthRecord(sandbox.platform, record('passed'));
    expect('boot_health_failure' in (await initialStatus(sandbox.platform))).toBe(false);
  });
});
