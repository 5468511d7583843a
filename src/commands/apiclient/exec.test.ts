import { expect, test } from 'bun:test';
import { parseExec } from './exec';

test.each([
  [['admin', 'ls', '-l'], { target: 'admin', command: ['ls', '-l'], tty: undefined }],
  [['-t', 'admin', '--', 'bash'], { target: 'admin', command: ['bash'], tty: true }],
  [['--no-tty', 'admin', 'sh', '-c', 'echo -t'], { target: 'admin', command: ['sh', '-c', 'echo -t'], tty: false }],
  [['admin', '-T', 'cat'], { target: 'admin', command: ['cat'], tty: false }],
])('%p', (args, expected) => {
  expect(parseExec(args)).toEqual(expected);
});

test.each([
  [[], "Missing required argument 'target'"],
  [['admin'], "Must specify a command for 'exec' to run."],
  [['--bogus', 'admin', 'ls'], "Unknown argument '--bogus'"],
])('%p is a usage error', (args, message) => {
  expect(() => parseExec(args)).toThrow(message);
});
