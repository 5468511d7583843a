import { expect, test } from 'bun:test';
import { parseUpdogArgs, UpdogUsageError } from './args';

test.each([
  [['check-update'], { subcommand: 'check-update', all: false, json: false }],
  [['-a', '--json', 'whats'], { subcommand: 'whats', all: true, json: true }],
  [['update', '-n', '-r', '-i', '1.2.0'], { subcommand: 'update', ignoreWaves: true, reboot: true }],
  [['--ignore-waves', 'update-image', '--log-level', 'DEBUG'], { subcommand: 'update-image', ignoreWaves: true, logLevel: 'debug' }],
  [['update-apply', '--variant', 'aws-k8s-1.30'], { subcommand: 'update-apply', variant: 'aws-k8s-1.30' }],
])('%p parses', (args, expected) => {
  expect(parseUpdogArgs(args)).toMatchObject(expected);
});

test('--image keeps the parsed version', () => {
  expect(parseUpdogArgs(['update', '--image', '1.13.0']).image?.text).toBe('1.13.0');
});

test.each([
  [[]],
  [['nope']],
  [['update', 'update-image']],
  [['update', '-t', '2024-01-01T00:00:00Z']], // Quirk: advertised, refused
  [['update', '--timestamp', 'x']],
  [['check-update', '-h']],
  [['check-update', '-l', 'info']],
  [['update', '--image']],
  [['update', '--image', 'v1.2.0']],
  [['update', '--log-level', 'loud']],
])('%p is a usage error', args => {
  expect(() => parseUpdogArgs(args)).toThrow(UpdogUsageError);
});
