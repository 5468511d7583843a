// The boot steps of the settings API, in cli.md's order: storewolf (datastore + defaults into
// `bottlerocket-launch`), the API server, settings-committer. Other steps go between them.
import { ApiServer } from './server';
import { BrktError } from '../errors';
import { readOsRelease } from '../os-release';
import { runStorewolf, LAUNCH_TRANSACTION } from '../datastore/storewolf';
import { variantDefaults } from '../model/defaults';
import type { BootContext, BootStep } from '../boot/sequence';
import { hostServices } from './host-services';

/** storewolf: create the versioned datastore on first boot, stage the variant's defaults. */
export const storewolfStep: BootStep = {
  name: 'storewolf',
  async run({ platform }) {
    const release = await readOsRelease(platform);
    if (!release?.versionId || !release.variantId) throw new BrktError('invalid-input', `${platform.paths.osRelease} has no VERSION_ID or VARIANT_ID`);
    const result = await runStorewolf(platform.files, platform.paths.datastoreBase, release.versionId, variantDefaults(release.variantId), platform.writeFilesAtomic);
    const created = result.created ? `created the ${release.versionId} datastore, ` : '';
    const recovered = result.recovered.length ? `, ${result.recovered.join('; ')}` : '';
    return `${created}${result.staged} defaults staged in ${LAUNCH_TRANSACTION}, ${result.written} written live${recovered}`;
  },
};

/** apiserver: serve the API on the socket; the server stays in the context for later steps. */
export const apiserverStep: BootStep = {
  name: 'apiserver',
  async run(context: BootContext) {
    const { platform } = context;
    const services = hostServices(platform, context.log);
    await platform.clearRunStateAtBoot(platform.paths.lockdownFlag); // a lockdown lasts until the next boot
    const server = await ApiServer.open(platform, { ...services, applier: context.applier ?? services.applier, log: context.log });
    await server.listen();
    context.api = server;
    return `serving on ${server.socket}`;
  },
};

/** settings-committer: commit `bottlerocket-launch` through the API (nothing pending is fine). */
export const settingsCommitterStep: BootStep = {
  name: 'settings-committer',
  async run({ api }) {
    if (!api) throw new BrktError('unavailable', 'The API server is not running');
    const response = await api.handle(new Request(`http://localhost/tx/commit?tx=${LAUNCH_TRANSACTION}`, { method: 'POST' }));
    if (response.status === 422) return 'nothing pending';
    const body = await response.text();
    if (!response.ok) throw new BrktError('io', `Commit of ${LAUNCH_TRANSACTION} failed with status ${response.status}: ${body}`);
    return `committed ${(JSON.parse(body) as string[]).length} settings`;
  },
};
