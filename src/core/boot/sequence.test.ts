// One boot step alone, as the units of `brkt install` run them (`brkt boot step NAME`).
import { expect, test } from 'bun:test';
import { makeSandbox } from '../../../test/helpers/sandbox';
import { runBootStep } from './sequence';

test('storewolf alone creates the datastore; unknown steps and the API server are refused', async () => {
  await using sandbox = await makeSandbox();
  const lines: string[] = [];
  const context = { platform: sandbox.platform, log: (line: string) => lines.push(line) };
  await runBootStep(context, 'storewolf');
  expect(lines).toEqual([expect.stringMatching(/^boot: storewolf: created the 1\.0\.0 datastore, \d+ defaults staged in bottlerocket-launch, \d+ written live$/)]);
  expect(await sandbox.platform.files.exists(sandbox.platform.paths.datastore)).toBe(true);
  const steps = 'bootloader, os-release, migrator, storewolf, early-boot-config, sundog, settings-applier, bootstrap-commands, configured.target, mark-successful-boot';
  for (const name of ['apiserver', 'nope']) {
    await expect(runBootStep(context, name)).rejects.toThrow(`Unknown boot step '${name}' (steps: ${steps}; the API server runs as 'apiserver')`);
  }
});
