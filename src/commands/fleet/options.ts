// Options every fleet command shares (targets, AWS connection, waiting, output) and the
// connection to SSM, opened only once the command line has been checked.
import { Option } from 'clipanion';
import { BrktCommand } from '../base';
import { parseRate, parseSeconds, parseTargets, type FleetTargets } from '../../core/fleet/targets';
import { connectSsm, type FleetApi } from '../../core/fleet/ssm-api';
import { runFleetCommand } from '../../core/fleet/run-command';
import { commandResultJson, formatCommandResult, formatProgress } from '../../core/fleet/results-table';
import { progressLine } from './progress';

export const TARGET_DETAILS =
  'Targets are `--instance-ids i-0123456789abcdef0,...` or `--targets key=tag:NAME,values=V1,V2` in the SSM syntax (also `key=tag-key,values=K` and `key=InstanceIds,values=...`); `--targets` may be repeated and all must match. Credentials and region come from the standard AWS chain (environment, profile, instance role); `--region` and `--endpoint` override them.';

export abstract class FleetCommand extends BrktCommand {
  instanceIds = Option.Array('--instance-ids', { description: 'Instance IDs, comma separated' });
  targets = Option.Array('--targets', { description: 'SSM targets: key=tag:NAME,values=V1,V2' });
  region = Option.String('--region', { description: 'AWS region (default: AWS_REGION or the profile)' });
  endpoint = Option.String('--endpoint', { description: 'SSM endpoint URL (a private endpoint or a test server)' });
  pollInterval = Option.String('--poll-interval', '2', { description: 'Seconds between status requests' });
  json = Option.Boolean('--json', false, { description: 'Print the result as JSON' });

  protected parseTargets(): FleetTargets {
    return parseTargets({ instanceIds: this.instanceIds, targets: this.targets });
  }

  protected pollMs(): number {
    return parseSeconds('--poll-interval', this.pollInterval);
  }

  /** Connects (the SDK is loaded here, not before), runs `work`, and closes the client. */
  protected async withSsm<T>(work: (api: FleetApi) => Promise<T>): Promise<T> {
    const api = await connectSsm({ region: this.region ?? this.platform.env('AWS_REGION'), endpoint: this.endpoint });
    try {
      return await work(api);
    } finally {
      api.close();
    }
  }
}

/** Commands that send one command line to all targets: `run` and `settings set`. */
export abstract class FleetSendCommand extends FleetCommand {
  document = Option.String('--document', 'AWS-RunShellScript', { description: 'SSM document that runs the shell line (its `commands` parameter)' });
  maxConcurrency = Option.String('--max-concurrency', { description: 'SSM MaxConcurrency: N or P% (SSM default: 50)' });
  maxErrors = Option.String('--max-errors', { description: 'SSM MaxErrors: N or P% (SSM default: 0)' });
  timeout = Option.String('--timeout', '600', { description: 'Seconds to wait for every instance' });

  protected rates() {
    return { maxConcurrency: parseRate('--max-concurrency', this.maxConcurrency), maxErrors: parseRate('--max-errors', this.maxErrors) };
  }

  protected timeoutMs(): number {
    return parseSeconds('--timeout', this.timeout);
  }

  /** Checks the options, sends `commandLine` to every target, waits, prints; exit 1 if any failed. */
  protected async sendAndReport(commandLine: () => string): Promise<number> {
    const targets = this.parseTargets();
    const line = commandLine();
    const rates = this.rates();
    const wait = { timeoutMs: this.timeoutMs(), pollMs: this.pollMs() };
    const progress = await progressLine();
    const result = await this.withSsm(api =>
      runFleetCommand(api, { document: this.document, commandLine: line, targets, ...rates }, { ...wait, onProgress: counts => progress.show(formatProgress(counts)) }));
    progress.end();
    if (this.json) this.outJson(commandResultJson(result));
    else this.out(formatCommandResult(result));
    return result.succeeded ? 0 : 1;
  }
}
