// Which instances a fleet command reaches: `--instance-ids` or SSM `--targets` in the syntax of
// `aws ssm send-command --targets Key=tag:Name,Values=web`. Validated before anything is sent.
import { BrktError } from '../errors';

/** One SSM target (`Key`, `Values`), as SendCommand takes it. */
export interface SsmTarget {
  Key: string;
  Values: string[];
}

export type FleetTargets =
  | { kind: 'instances'; instanceIds: string[] }
  | { kind: 'targets'; targets: SsmTarget[] };

// SSM's own limits: 50 instance IDs per SendCommand, 5 targets, 50 values per target.
export const MAX_TARGETS = 5;
export const MAX_TARGET_VALUES = 50;

// SendCommand's pattern for instance IDs (EC2 `i-` with 8 or 17 hex digits, managed `mi-`).
const INSTANCE_ID = /^(i-([0-9a-f]{8}|[0-9a-f]{17})|mi-[0-9a-f]{17})$/;

export const isInstanceId = (id: string) => INSTANCE_ID.test(id);

/**
 * Reads the target options of a fleet command. Exactly one of `--instance-ids` (comma
 * separated, may repeat) or `--targets` (may repeat: SSM ANDs targets) must be given.
 */
export function parseTargets(options: { instanceIds?: string[]; targets?: string[] }): FleetTargets {
  const idArgs = options.instanceIds ?? [];
  const targetArgs = options.targets ?? [];
  if (idArgs.length && targetArgs.length) throw usage('Give either --instance-ids or --targets, not both');
  if (targetArgs.length) {
    if (targetArgs.length > MAX_TARGETS) throw usage(`Too many --targets (${targetArgs.length}): SSM takes at most ${MAX_TARGETS}`);
    return { kind: 'targets', targets: targetArgs.map(parseTarget) };
  }
  const instanceIds = unique(idArgs.flatMap(arg => arg.split(',')).map(id => id.trim()).filter(Boolean));
  if (instanceIds.length === 0) throw usage('No targets: give --instance-ids i-...,i-... or --targets key=tag:NAME,values=V1,V2');
  const bad = instanceIds.find(id => !isInstanceId(id));
  if (bad !== undefined) throw usage(`Invalid instance ID '${bad}': expected i- followed by 8 or 17 hex digits, or mi- and 17`);
  return { kind: 'instances', instanceIds };
}

/**
 * `key=tag:Name,values=web,api` (also `Key=...,Values=...` as the AWS CLI writes it). Values
 * after `values=` are split at commas; a key other than `tag:NAME`, `tag-key` or `InstanceIds`
 * is refused because SendCommand would only fail later with a less helpful message.
 */
export function parseTarget(text: string): SsmTarget {
  const match = /^key=([^,]*),values=(.*)$/i.exec(text.trim());
  if (!match) throw usage(`Invalid --targets '${text}': expected key=tag:NAME,values=V1,V2`);
  const key = match[1]!.trim();
  const values = match[2]!.split(',').map(value => value.trim());
  if (values.some(value => value === '')) throw usage(`Invalid --targets '${text}': empty value`);
  if (values.length > MAX_TARGET_VALUES) throw usage(`Invalid --targets '${text}': more than ${MAX_TARGET_VALUES} values`);
  if (/^tag:./.test(key) || key === 'tag-key') return { Key: key, Values: values };
  if (key.toLowerCase() === 'instanceids') {
    const bad = values.find(id => !isInstanceId(id));
    if (bad !== undefined) throw usage(`Invalid instance ID '${bad}' in --targets`);
    return { Key: 'InstanceIds', Values: values };
  }
  throw usage(`Unknown target key '${key}' in --targets: expected tag:NAME, tag-key or InstanceIds`);
}

/** `--max-concurrency` / `--max-errors`: a count or a percentage, as SSM accepts them. */
export function parseRate(option: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (/^(0|[1-9][0-9]*)$/.test(value) || /^([0-9]|[1-9][0-9]|100)%$/.test(value)) return value;
  throw usage(`Invalid ${option} '${value}': expected a number (10) or a percentage (10%)`);
}

/** A percentage such as `--halt-at 25%` (the `%` is optional), 1..100. */
export function parsePercent(option: string, value: string): number {
  const match = /^([0-9]+(\.[0-9]+)?)%?$/.exec(value);
  const percent = match ? Number(match[1]) : NaN;
  if (!(percent > 0 && percent <= 100)) throw usage(`Invalid ${option} '${value}': expected a percentage above 0 and at most 100`);
  return percent;
}

/** Seconds (fractions allowed) as milliseconds; `option` names the flag in the message. */
export function parseSeconds(option: string, value: string): number {
  const seconds = /^[0-9]+(\.[0-9]+)?$/.test(value) ? Number(value) : NaN;
  if (!(seconds > 0)) throw usage(`Invalid ${option} '${value}': expected a number of seconds above 0`);
  return Math.round(seconds * 1000);
}

/** Human description of the targets for messages (`3 instances`, `tag:Name=web`). */
export function describeTargets(targets: FleetTargets): string {
  if (targets.kind === 'instances') return targets.instanceIds.join(',');
  return targets.targets.map(target => `${target.Key}=${target.Values.join(',')}`).join(' and ');
}

const unique = (values: string[]) => [...new Set(values)];
const usage = (message: string) => new BrktError('usage', message);
