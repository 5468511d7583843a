import { describe, expect, test } from 'bun:test';
import { encodeArgument, parseClientMessage } from './protocol';

describe('parseClientMessage', () => {
  test('Initialize with OsString arguments and a terminal size', () => {
    const text = JSON.stringify({ Initialize: { command: [encodeArgument('ls'), encodeArgument('-é')], target: 'admin', tty: { size: { rows: 24, cols: 80 } } } });
    expect(parseClientMessage(text)).toEqual({ Initialize: { command: ['ls', '-é'], target: 'admin', tty: { size: { rows: 24, cols: 80 } } } });
  });

  test.each([
    ['"ContentComplete"', 'ContentComplete'],
    ['{"Winch":{"rows":40,"cols":120}}', { Winch: { rows: 40, cols: 120 } }],
    ['{"Initialize":{"command":["sh"],"target":"control","tty":null}}', { Initialize: { command: ['sh'], target: 'control', tty: null } }],
  ])('%s', (text, expected) => {
    expect(parseClientMessage(text)).toEqual(expected as never);
  });

  test.each([
    ['not json', 'control messages must be JSON'],
    ['{"Initialize":{"command":[],"target":"admin"}}', 'Initialize needs a non-empty command'],
    ['{"Initialize":{"command":["ls"]}}', 'Initialize needs a target'],
    ['{"Initialize":{"command":[{"Unix":[300]}],"target":"admin"}}', 'a command argument must be a string or {"Unix":[bytes]}'],
    ['{"Winch":{"rows":-1,"cols":80}}', 'a terminal size needs integer rows and cols (0..65535)'],
    ['"Stop"', 'unknown control message "Stop"'],
  ])('refuses %s', (text, message) => {
    expect(() => parseClientMessage(text)).toThrow(message);
  });
});
