import { expect, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { imdsFiles } from './imds-files';
import { makeTempDir } from '../../test/helpers/sandbox';

test('answers IMDS paths from files: bodies, 404 as undefined, directory listings; stays in its directory', async () => {
  await using dir = makeTempDir();
  mkdirSync(join(dir.root, 'latest/meta-data/placement'), { recursive: true });
  writeFileSync(join(dir.root, 'latest/meta-data/instance-type'), 'm5.large');
  writeFileSync(join(dir.root, 'latest/meta-data/placement/region'), 'us-west-2');
  writeFileSync(join(dir.root, 'secret'), 'outside');
  const imds = imdsFiles(dir.root);
  expect(await imds.get('/latest/meta-data/instance-type')).toBe('m5.large');
  expect(await imds.get('/latest/meta-data/placement/region')).toBe('us-west-2');
  expect(await imds.get('/latest/meta-data/mac')).toBeUndefined();
  expect(await imds.get('/latest/meta-data/instance-type/more')).toBeUndefined();
  expect(await imds.get('/latest/meta-data/')).toBe('instance-type\nplacement/');
  const inner = imdsFiles(join(dir.root, 'latest'));
  await expect(inner.get('/../secret')).rejects.toThrow('leaves the root');
});
