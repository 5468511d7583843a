import { describe, expect, test } from 'bun:test';
import { parsePercent, parseRate, parseSeconds, parseTarget, parseTargets } from './targets';
import { BrktError } from '../errors';

const A = 'i-0123456789abcdef0';
const B = 'i-0fedcba9876543210';

describe('parseTargets', () => {
  test.each([
    [{ instanceIds: [`${A},${B}`] }, { kind: 'instances', instanceIds: [A, B] }],
    [{ instanceIds: [A, `${B},${A}`] }, { kind: 'instances', instanceIds: [A, B] }],
    [{ instanceIds: ['i-0123abcd'] }, { kind: 'instances', instanceIds: ['i-0123abcd'] }],
    [{ targets: ['key=tag:Name,values=web'] }, { kind: 'targets', targets: [{ Key: 'tag:Name', Values: ['web'] }] }],
    [{ targets: ['Key=tag:Name,Values=web,api', 'key=tag-key,values=Env'] }, { kind: 'targets', targets: [{ Key: 'tag:Name', Values: ['web', 'api'] }, { Key: 'tag-key', Values: ['Env'] }] }],
    [{ targets: [`key=instanceids,values=${A}`] }, { kind: 'targets', targets: [{ Key: 'InstanceIds', Values: [A] }] }],
  ])('%j', (input, expected) => {
    expect(parseTargets(input)).toEqual(expected as never);
  });

  test.each([
    [{}, 'No targets: give --instance-ids i-...,i-... or --targets key=tag:NAME,values=V1,V2'],
    [{ instanceIds: [','] }, 'No targets: give --instance-ids i-...,i-... or --targets key=tag:NAME,values=V1,V2'],
    [{ instanceIds: ['i-1'] }, "Invalid instance ID 'i-1': expected i- followed by 8 or 17 hex digits, or mi- and 17"],
    [{ instanceIds: [A], targets: ['key=tag:Name,values=web'] }, 'Give either --instance-ids or --targets, not both'],
    [{ targets: ['tag:Name=web'] }, "Invalid --targets 'tag:Name=web': expected key=tag:NAME,values=V1,V2"],
    [{ targets: ['key=name:Name,values=web'] }, "Unknown target key 'name:Name' in --targets: expected tag:NAME, tag-key or InstanceIds"],
    [{ targets: ['key=tag:,values=web'] }, "Unknown target key 'tag:' in --targets: expected tag:NAME, tag-key or InstanceIds"],
    [{ targets: ['key=tag:Name,values=web,'] }, "Invalid --targets 'key=tag:Name,values=web,': empty value"],
    [{ targets: ['key=InstanceIds,values=i-nope'] }, "Invalid instance ID 'i-nope' in --targets"],
    [{ targets: Array(6).fill('key=tag-key,values=a') }, 'Too many --targets (6): SSM takes at most 5'],
  ])('refuses %j', (input, message) => {
    let caught: unknown;
    try {
      parseTargets(input);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(BrktError);
    expect({ code: (caught as BrktError).code, message: (caught as BrktError).message }).toEqual({ code: 'usage', message });
  });

  test('a target with 51 values is refused', () => {
    expect(() => parseTarget(`key=tag:Name,values=${Array.from({ length: 51 }, (_, i) => `v${i}`).join(',')}`)).toThrow('more than 50 values');
  });
});

test.each([
  ['10', '10'], ['0', '0'], ['5%', '5%'], ['100%', '100%'], [undefined, undefined],
])('parseRate(%p)', (value, expected) => {
  expect(parseRate('--max-errors', value)).toBe(expected);
});

test.each(['-1', '101%', '10.5', 'ten', '05', ''])('parseRate refuses %p', value => {
  expect(() => parseRate('--max-errors', value)).toThrow(`Invalid --max-errors '${value}'`);
});

test.each([['25%', 25], ['50', 50], ['100%', 100], ['0.5%', 0.5]])('parsePercent(%p)', (value, expected) => {
  expect(parsePercent('--halt-at', value)).toBe(expected);
});

test.each(['0%', '101%', 'x', '-5%'])('parsePercent refuses %p', value => {
  expect(() => parsePercent('--halt-at', value)).toThrow(`Invalid --halt-at '${value}'`);
});

test.each([['0.25', 250], ['3', 3000], ['1200', 1_200_000]])('parseSeconds(%p)', (value, expected) => {
  expect(parseSeconds('--timeout', value)).toBe(expected);
});

test.each(['0', '-1', '1s', ''])('parseSeconds refuses %p', value => {
  expect(() => parseSeconds('--timeout', value)).toThrow(`Invalid --timeout '${value}'`);
});
