import { describe, expect, test } from 'bun:test';
import { RequestError, checkOutputName, displayRequest, parseRequest, requestLines } from './request';
import { splitShellWords } from './shell-words';

describe('parseRequest splits on single spaces into at most three parts', () => {
  test.each([
    ['exec hello.txt echo hello world', { mode: 'exec', filename: 'hello.txt', instructions: 'echo hello world' }],
    ['settings settings.json', { mode: 'settings', filename: 'settings.json', instructions: '' }],
    ['glob /var/log/kdump/*', { mode: 'glob', filename: '', instructions: '/var/log/kdump/*' }],
    ['glob /a/* ignored words', { mode: 'glob', filename: '', instructions: '/a/*' }],
    ['exec  echo hi', { mode: 'exec', filename: '', instructions: 'echo hi' }],
    ['file os-release /etc/os-release', { mode: 'file', filename: 'os-release', instructions: '/etc/os-release' }],
  ])('%p', (line, expected) => {
    expect(parseRequest(line)).toEqual({ line, ...expected });
  });

  test.each([
    ['glob', `The logdog configuration has a 'glob' line with no glob instructions.`],
    ['exec', `Output filename is missing in request: 'exec'`],
    ['bogus', `Output filename is missing in request: 'bogus'`],
  ])('%p fails with the upstream message', (line, message) => {
    expect(() => parseRequest(line)).toThrow(new RequestError(message));
  });
});

test.each([
  [{ mode: 'glob', filename: 'another-output', instructions: '' }, 'glob another-output'],
  [{ mode: 'exec', filename: 'x', instructions: 'echo hi' }, 'exec x echo hi'],
])('displayRequest(%p) = %p', (request, shown) => {
  expect(displayRequest(request)).toBe(shown);
});

describe('checkOutputName keeps every output inside the scratch directory', () => {
  test.each(['hello.txt', 'journalctl.log', '.hidden'])('%p is a plain name', name => {
    expect(checkOutputName(parseRequest(`exec ${name} true`))).toBe(name);
  });
  test.each(['../escape', '/etc/passwd', 'a/b', '..', '.'])('%p is refused', name => {
    expect(() => checkOutputName(parseRequest(`exec ${name} true`))).toThrow(`Output filename '${name}' is not a plain file name in request: 'exec ${name} true'`);
  });
  test.each(['logdog.errors', 'redactions'])('%p is reserved', name => {
    expect(() => checkOutputName(parseRequest(`exec ${name} true`))).toThrow(`Output filename '${name}' is reserved for the bundle itself`);
  });
});

test('request files: empty lines and # comments (after leading blanks) are not requests', () => {
  expect(requestLines('exec a echo a\n\n  # a comment\n#another\r\nfile b /b\n')).toEqual(['exec a echo a', 'file b /b']);
});

describe('shell words, as the shell-words crate splits them', () => {
  test.each([
    [`echo 'hello' "world!" "\\"quoted\\""`, ['echo', 'hello', 'world!', '"quoted"']],
    ['systemctl status kube* -l --no-pager', ['systemctl', 'status', 'kube*', '-l', '--no-pager']],
    ['a  b\tc', ['a', 'b', 'c']],
    [`a\\ b "x\\$y" "p\\q" ''`, ['a b', 'x$y', 'p\\q', '']],
    ['echo $HOME | cat', ['echo', '$HOME', '|', 'cat']],
    ['echo hi # comment', ['echo', 'hi']],
    ['echo a#b', ['echo', 'a#b']],
  ])('%p', (text, words) => {
    expect(splitShellWords(text)).toEqual(words);
  });
  test.each([`echo 'open`, 'echo "open', 'echo \\'])('%p has a missing closing quote', text => {
    expect(() => splitShellWords(text)).toThrow('missing closing quote');
  });
});
