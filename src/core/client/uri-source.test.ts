import { describe, expect, test } from 'bun:test';
import { decodeBase64Strict, selectSource } from './uri-source';

// settings-now.md 3.3: the first resolver that accepts an input, in upstream's order.
describe('selectSource', () => {
  test.each([
    ['-', { kind: 'stdin' }],
    ['base64:SGVsbG8=', { kind: 'base64', data: 'SGVsbG8=' }],
    ['file:///tmp/a.toml', { kind: 'file', path: '/tmp/a.toml' }],
    ['file://localhost/tmp/a%20b.toml', { kind: 'file', path: '/tmp/a b.toml' }],
    ['http://127.0.0.1:8080/x', { kind: 'http', url: 'http://127.0.0.1:8080/x' }],
    ['https://example.com', { kind: 'http', url: 'https://example.com/' }],
    ['s3://bucket/path/to/key', { kind: 's3', bucket: 'bucket', key: 'path/to/key' }],
    ['arn:aws:secretsmanager:eu-west-1:123456789012:secret:x', { kind: 'secretsmanager', id: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x', region: 'eu-west-1' }],
    ['secretsmanager://sec', { kind: 'secretsmanager', id: 'sec' }],
    ['arn:aws-cn:ssm:cn-north-1:123456789012:parameter/a/b', { kind: 'ssm', name: 'arn:aws-cn:ssm:cn-north-1:123456789012:parameter/a/b', region: 'cn-north-1' }],
    ['ssm://param', { kind: 'ssm', name: 'param' }],
  ])('%s', (input, expected) => {
    expect(selectSource(input)).toEqual(expected as ReturnType<typeof selectSource>);
  });

  test.each([
    '/tmp/a.toml', 'base64:', 'ssm://', 'secretsmanager://', 's3://bucket', 's3://bucket/', 's3:///key', 'ftp://h/x',
    'file://rel/x', 'http://', 'https:// ', '--', ' -', '', 'arn:aws:ssm::1:parameter/x', 'arn:aws:s3:us-east-1:1:x', 'arn:aws:ssm:us-east-1',
  ])('%p has no resolver', input => {
    expect(() => selectSource(input)).toThrow(`No URI resolver found for '${input}'`);
  });
});

describe('decodeBase64Strict', () => {
  test('standard alphabet with padding', () => {
    expect(Buffer.from(decodeBase64Strict('W3NldHRpbmdzXQptb3RkID0gIngiCg==')).toString()).toBe('[settings]\nmotd = "x"\n');
  });

  test.each([
    ['SGVsbG8', 'Invalid padding'],
    ['SGVsbG8=X', 'Invalid padding'],
    ['not!valid', 'Invalid symbol 33, offset 3.'],
    ['SGV-bG8=', 'Invalid symbol 45, offset 3.'],
    ['SGVsb', 'Invalid input length.'],
  ])('%p is refused', (data, message) => {
    expect(() => decodeBase64Strict(data)).toThrow(message);
  });
});
