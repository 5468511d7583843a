import { expect, test } from 'bun:test';
import { parseDuration, parseTimeoutSeconds, withSince } from './since';

test.each([
  ['90', 90],
  ['90s', 90],
  ['30m', 1800],
  ['2h', 7200],
  ['1h30m', 5400],
  ['7d', 604800],
  ['1w', 604800],
])('parseDuration(%p) = %p seconds', (text, seconds) => {
  expect(parseDuration(text)).toBe(seconds);
});

test.each(['', '2x', 'h', '1h 30m', '-5m', '0', '0m'])('parseDuration(%p) is bad input', text => {
  expect(() => parseDuration(text)).toThrow(/^Invalid duration/);
});

test.each([
  ['30', 30_000],
  ['0.5', 500],
  ['0', undefined],
])('parseTimeoutSeconds(%p) = %p ms', (text, ms) => {
  expect(parseTimeoutSeconds(text, '--timeout')).toBe(ms);
});

test('a bad timeout names its source', () => {
  expect(() => parseTimeoutSeconds('soon', 'BRKT_LOGS_TIMEOUT')).toThrow(`Invalid timeout 'soon' for BRKT_LOGS_TIMEOUT: give seconds, 0 for none`);
});

const NOW = new Date('2024-05-01T12:00:00Z');

test.each([
  [['journalctl', '-a', '--no-pager'], 3600, ['journalctl', '-a', '--no-pager', `--since=@${NOW.getTime() / 1000 - 3600}`]],
  [['/usr/bin/journalctl', '-p', 'err'], 60, ['/usr/bin/journalctl', '-p', 'err', `--since=@${NOW.getTime() / 1000 - 60}`]],
  [['journalctl', '--list-boots', '--no-pager'], 60, ['journalctl', '--list-boots', '--no-pager']],
  [['dmesg', '--color=never'], 60, ['dmesg', '--color=never']],
  [['journalctl', '-a'], undefined, ['journalctl', '-a']],
])('withSince(%p, %p)', (argv, since, expected) => {
  expect(withSince(argv, since, NOW)).toEqual(expected);
});
