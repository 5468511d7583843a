// Creates a sandbox root: a directory that looks like a host to brkt. Each step is idempotent
// so `brkt dev init` on an existing sandbox fills in only what is missing.
import { createHash } from 'node:crypto';
import { BrktError } from '../errors';
import { formatOsRelease } from '../os-release';
import type { Platform } from '../../platform/types';
import { SHIPPED_VARIANTS } from '../model/defaults';
import { createSandboxDisk } from '../bootloader/sandbox-disk';
import { USER_DATA_FILE } from '../boot-config/early-boot-config';

/** The CA bundle of the image (upstream's certdog reads it). */
export const FACTORY_CA_BUNDLE = '/usr/share/factory/etc/pki/tls/certs/ca-bundle.crt';
export const SANDBOX_MARKER = 'var/lib/brkt/sandbox.json';
export const SANDBOX_VERSION = '1.0.0';
/** The upstream dev variant of 2020: every setting group but no orchestrator to configure. */
export const DEFAULT_SANDBOX_VARIANT = 'aws-dev';

export interface SandboxOptions {
  variant: string;
}

export interface SandboxStep {
  name: string;
  run(platform: Platform, options: SandboxOptions): Promise<void>;
}

/** Stable per release so tests and repositories can name builds. */
export const buildIdOf = (version: string, variant: string) =>
  createHash('sha256').update(`${variant}@${version}`).digest('hex').slice(0, 7);

export function osReleaseFor(version: string, variant: string): string {
  return formatOsRelease({
    NAME: 'Bottlerocket',
    ID: 'bottlerocket',
    VERSION_ID: version,
    PRETTY_NAME: `Bottlerocket OS ${version} (${variant})`,
    VARIANT_ID: variant,
    BUILD_ID: buildIdOf(version, variant),
    HOME_URL: 'https://github.com/bottlerocket-os/bottlerocket',
  });
}

const README = `This directory is a brkt sandbox: a host root that brkt treats as a machine.

  brkt --root . boot --serve          boot it and serve the API on run/api.sock
  brkt --root . settings get          talk to that API from another terminal

etc/os-release                 the running image (what the sandbox bootloader last booted)
var/lib/bottlerocket/datastore the settings datastore
var/lib/brkt                   brkt's own state (sandbox marker, update metadata, boot record)
var/lib/brkt/imds              the instance metadata and user data this sandbox's "EC2" serves
var/log/brkt/restarts.log      service restart commands that would have run on a host

Delete the directory to start over.
`;

/** The steps of `brkt dev init`, in order; later parts of brkt add theirs (disk, repository). */
export const SANDBOX_STEPS: SandboxStep[] = [
  {
    name: 'os-release',
    async run(platform, options) {
      if (await platform.files.exists(platform.paths.osRelease)) return;
      await platform.files.writeAtomic(platform.paths.osRelease, osReleaseFor(SANDBOX_VERSION, options.variant));
    },
  },
  {
    name: 'datastore directory',
    async run(platform) {
      await platform.files.mkdirp(platform.paths.datastoreBase);
      await platform.files.mkdirp(platform.path('run'));
    },
  },
  {
    // The OS disk (sizes in SANDBOX_SIZES): set A holds this release, flagged as a fresh install.
    name: 'OS disk',
    async run(platform, options) {
      if (await platform.files.exists(platform.paths.disk)) return;
      await createSandboxDisk(platform, platform.paths.disk, osReleaseFor(SANDBOX_VERSION, options.variant));
    },
  },
  {
    // repo/: a signed repository with releases 1.1.0 and 1.2.0; its root becomes the trusted one.
    name: 'update repository',
    async run(platform, options) {
      const { createSandboxRepository } = await import('../repo/sandbox-repo');
      await createSandboxRepository(platform, options.variant);
    },
  },
  {
    // The sandbox's user data points the update settings at repo/, so `brkt update` finds its
    // releases once the first boot has applied it (an existing user-data file is left alone).
    name: 'user data',
    async run(platform) {
      const path = platform.path(USER_DATA_FILE);
      if (await platform.files.exists(path)) return;
      const urls = JSON.parse(await platform.files.readText(platform.paths.sandboxRepo)) as Record<string, string>;
      const toml = [
        '# User data of this sandbox, applied on its first boot (early-boot-config).',
        '[settings.updates]',
        `metadata-base-url = ${JSON.stringify(urls['metadata-base-url'])}`,
        `targets-base-url = ${JSON.stringify(urls['targets-base-url'])}`,
        '',
      ].join('\n');
      await platform.files.writeAtomic(path, toml);
    },
  },
  {
    // What EC2 would give this host: instance metadata and, for an orchestrator, a sample cluster.
    name: 'instance metadata',
    async run(platform, options) {
      const { writeSandboxInstance } = await import('./instance-metadata');
      await writeSandboxInstance(platform, options.variant);
    },
  },
  {
    // The image's CA bundle, which the pki settings' bundle starts from (certdog); a sandbox
    // image has one stand-in CA instead of the public roots.
    name: 'factory CA bundle',
    async run(platform) {
      const path = platform.path(FACTORY_CA_BUNDLE);
      if (await platform.files.exists(path)) return;
      const { SAMPLE_CLUSTER_CA } = await import('./instance-metadata');
      await platform.files.mkdirp(platform.path(FACTORY_CA_BUNDLE.slice(0, FACTORY_CA_BUNDLE.lastIndexOf('/'))));
      await platform.files.writeAtomic(path, `# brkt sandbox: stand-in for the image's public CA roots\n${SAMPLE_CLUSTER_CA}`);
    },
  },
  {
    name: 'README.txt',
    async run(platform) {
      await platform.files.writeAtomic(platform.paths.sandboxReadme, README);
    },
  },
];

export async function isSandbox(platform: Platform): Promise<boolean> {
  return platform.files.exists(platform.path(SANDBOX_MARKER));
}

/** Creates or completes a sandbox at the platform's root. Refuses a non-empty non-sandbox. */
export async function initSandbox(platform: Platform, options: SandboxOptions, steps = SANDBOX_STEPS): Promise<{ created: boolean }> {
  if (!SHIPPED_VARIANTS.includes(options.variant)) {
    throw new BrktError('invalid-input', `Unknown variant '${options.variant}': brkt ships the defaults of ${SHIPPED_VARIANTS.join(', ')}`);
  }
  const root = platform.paths.root;
  const existing = await platform.files.info(root);
  if (existing && !existing.isDirectory) throw new BrktError('invalid-input', `Cannot create a sandbox at ${root}: it is not a directory`);
  const sandbox = await isSandbox(platform);
  if (!sandbox && (await platform.files.list(root)).length > 0) {
    throw new BrktError('invalid-input', `Refusing to create a sandbox in ${root}: the directory is not empty and is not a sandbox`);
  }
  if (sandbox) {
    const marker = JSON.parse(await platform.files.readText(platform.path(SANDBOX_MARKER))) as SandboxOptions;
    if (marker.variant !== options.variant) {
      throw new BrktError('invalid-input', `The sandbox at ${root} has variant ${marker.variant}, not ${options.variant}`);
    }
  } else {
    await platform.files.writeAtomic(platform.path(SANDBOX_MARKER), JSON.stringify({ variant: options.variant }) + '\n');
  }
  for (const step of steps) await step.run(platform, options);
  return { created: !sandbox };
}
