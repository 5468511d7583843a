import { expect, test } from 'bun:test';
import { pickRole } from './dispatch';

test.each([
  ['/usr/bin/apiclient', ['-u', '/settings'], { role: 'apiclient', shown: 'apiclient', rest: ['-u', '/settings'] }],
  ['apiserver', ['--socket', '/x'], { role: 'apiserver', shown: 'apiserver', rest: ['--socket', '/x'] }],
  ['/sbin/updog', ['check-update'], { role: 'updog', shown: 'updog', rest: ['check-update'] }],
  ['signpost', ['status'], { role: 'signpost', shown: 'signpost', rest: ['status'] }],
  ['logdog', [], { role: 'logdog', shown: 'logdog', rest: [] }],
  ['-sheltie', [], { role: 'sheltie', shown: 'sheltie', rest: [] }],
  ['brkt', ['signpost', 'status'], { role: 'signpost', shown: 'brkt signpost', rest: ['status'] }],
  ['/opt/bin/brkt', ['settings', 'get'], { shown: 'brkt', rest: ['settings', 'get'] }],
  ['bun', ['--version'], { shown: 'brkt', rest: ['--version'] }],
  ['mytool', [], { shown: 'brkt', rest: [] }],
  ['brkt', ['--root', '/sb', 'settings', 'get'], { shown: 'brkt', rest: ['settings', 'get'], root: '/sb' }],
  ['brkt', ['settings', '--root=/sb', 'get'], { shown: 'brkt', rest: ['settings', 'get'], root: '/sb' }],
  ['signpost', ['--root', '/sb', 'status'], { role: 'signpost', shown: 'signpost', rest: ['status'], root: '/sb' }],
  ['brkt', ['fleet', 'run', '--', 'settings', '--root', '/x'], { shown: 'brkt', rest: ['fleet', 'run', '--', 'settings', '--root', '/x'] }],
])('%p %p', (argv0, args, expected) => {
  expect(pickRole(argv0, args as string[])).toEqual({ root: undefined, role: undefined, ...expected } as never);
});
