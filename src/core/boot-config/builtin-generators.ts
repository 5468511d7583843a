// The setting generators upstream ships as programs, built into brkt under the same names:
// bork (the update seed), schnauzer (a setting from a template), pluto (Kubernetes values).
import { BrktError } from '../errors';
import { renderTemplate } from '../templates/render';
import type { Platform } from '../../platform/types';
import type { Imds } from './imds';
import type { LaunchApi } from './launch-api';

export type GeneratorOutcome = { kind: 'value'; value: unknown } | { kind: 'skip'; reason: string };

export interface GeneratorContext {
  platform: Platform;
  api: LaunchApi;
  /** Instance metadata, when this host has any (see `imdsFor`). */
  imds: Imds | undefined;
  /** A uniform random 32-bit unsigned integer. */
  random(): number;
}

type Generator = (args: string[], context: GeneratorContext) => Promise<GeneratorOutcome>;

/** Seeds range over [0, 2048): the wave positions of updates.md 3.3. */
export const MAX_SEED = 2048;

function expectArgs(program: string, args: string[], count: number) {
  if (args.length !== count) throw new BrktError('usage', `${program} expects ${count} argument${count === 1 ? '' : 's'}, got ${args.length}`);
}

const bork: Generator = async (args, { random }) => {
  expectArgs('bork', args, 1);
  if (args[0] !== 'seed') throw new BrktError('usage', `bork: unknown subcommand ${args[0]}`);
  // 2048 divides 2^32, so masking a uniform u32 stays uniform.
  return { kind: 'value', value: random() % MAX_SEED };
};

const schnauzer: Generator = async (args, { api }) => {
  expectArgs('schnauzer', args, 1);
  const key = args[0]!;
  const template = (await api.templates([key]))[key];
  if (typeof template !== 'string' || template === '') throw new BrktError('not-found', `schnauzer: no template metadata for ${key}`);
  return { kind: 'value', value: renderTemplate(template, await api.model(), `the template of ${key}`) };
};

/** EKS's pause image registry; the same account in every region of the 2020 partition. */
const PAUSE_REGISTRY = '602401143452';

const pluto: Generator = async (args, { platform, imds, api }) => {
  expectArgs('pluto', args, 1);
  const what = args[0]!;
  if (!['max-pods', 'cluster-dns-ip', 'node-ip', 'pod-infra-container-image'].includes(what)) throw new BrktError('usage', `pluto: unknown setting ${what}`);
  // brkt: without instance metadata (a sandbox made without any) these values cannot be known;
  // skip them like a generator exiting 2, so templates fall back to their defaults.
  if (!imds) return { kind: 'skip', reason: 'no instance metadata on this host' };
  const metadata = async (path: string) => {
    let value: string | undefined;
    try {
      value = await imds.get(`/latest/meta-data/${path}`);
    } catch (error) {
      // A metadata service that cannot be reached counts as none (a host without one boots).
      if (error instanceof BrktError && error.code === 'unavailable') throw new ImdsUnreachable(error.message);
      throw error;
    }
    if (value === undefined) throw new BrktError('not-found', `pluto: instance metadata has no ${path}`);
    return value.trim();
  };
  try {
    return await plutoValue(what, metadata, platform, api);
  } catch (error) {
    if (error instanceof ImdsUnreachable) return { kind: 'skip', reason: `no instance metadata on this host: ${error.message}` };
    throw error;
  }
};

class ImdsUnreachable extends Error {}

async function plutoValue(what: string, metadata: (path: string) => Promise<string>, platform: Platform, api: GeneratorContext['api']): Promise<GeneratorOutcome> {
  switch (what) {
    case 'max-pods':
      // Upstream exits 2 on any failure here, so the template default (110) applies.
      try {
        return { kind: 'value', value: await maxPods(platform, await metadata('instance-type')) };
      } catch (error) {
        if (error instanceof ImdsUnreachable) throw error;
        return { kind: 'skip', reason: (error as Error).message };
      }
    case 'node-ip':
      return { kind: 'value', value: await metadata('local-ipv4') };
    case 'cluster-dns-ip': {
      const mac = await metadata('mac');
      const cidrs = await metadata(`network/interfaces/macs/${mac}/vpc-ipv4-cidr-blocks`);
      return { kind: 'value', value: cidrs.split('\n')[0]!.startsWith('10.') ? '172.20.0.10' : '10.100.0.10' };
    }
    default: {
      const region = await metadata('placement/region');
      const model = await api.model();
      const arch = (model.os as { arch?: string } | undefined)?.arch;
      const goarch = arch === 'aarch64' ? 'arm64' : 'amd64';
      return { kind: 'value', value: `${PAUSE_REGISTRY}.dkr.ecr.${region}.amazonaws.com/eks/pause-${goarch}:3.1` };
    }
  }
}

/** Looks the instance type up in `usr/share/eks/eni-max-pods` (lines `<type> <n>`, `#` comments). */
async function maxPods(platform: Platform, instanceType: string): Promise<number> {
  const table = await platform.files.readTextIfExists(platform.path('usr/share/eks/eni-max-pods'));
  if (table === undefined) throw new BrktError('not-found', 'pluto: no usr/share/eks/eni-max-pods');
  for (const line of table.split('\n')) {
    const [type, count] = line.replace(/#.*/, '').trim().split(/\s+/);
    if (type === instanceType && count && /^\d+$/.test(count)) return Number(count);
  }
  throw new BrktError('not-found', `pluto: no max-pods entry for instance type ${instanceType}`);
}

export const BUILTIN_GENERATORS: Record<string, Generator> = { bork, schnauzer, pluto };
