import { expect, test } from 'bun:test';
import { formatCommandResult, formatTable } from './results-table';

test('columns are padded to the widest cell; the last one is not', () => {
  expect(formatTable(['A', 'LONG'], [['xyz', 'v'], ['p', '']])).toBe('A    LONG\nxyz  v\np\n');
});

test('a run result lists every instance, then the counts', () => {
  const text = formatCommandResult({
    commandIds: ['c1'],
    timedOut: true,
    succeeded: false,
    instances: [
      { instanceId: 'i-0123456789abcdef0', commandId: 'c1', status: 'Success', exitCode: 0, firstLine: 'hello', output: 'hello\n' },
      { instanceId: 'i-0fedcba9876543210', commandId: 'c1', status: 'Failed', exitCode: 2, firstLine: 'oops', output: 'oops' },
      { instanceId: 'i-00000000000000001', commandId: 'c1', status: 'InProgress', firstLine: '', output: '' },
    ],
  });
  expect(text).toBe([
    'INSTANCE             STATUS      EXIT  OUTPUT',
    'i-0123456789abcdef0  Success     0     hello',
    'i-0fedcba9876543210  Failed      2     oops',
    'i-00000000000000001  InProgress  -',
    '1 done, 1 failed, 1 pending (stopped waiting at the timeout)',
    '',
  ].join('\n'));
});
