// The few AWS Systems Manager calls brkt fleet makes, behind a narrow interface. The SDK is
// imported on first use only: it costs ~40 ms at start-up, which no other command should pay.
import type { SSMClient } from '@aws-sdk/client-ssm';
import { BrktError, messageOf } from '../errors';
import type { SsmTarget } from './targets';

export interface SendCommandRequest {
  document: string;
  /** One shell line, passed as the document's `commands` parameter. */
  commandLine: string;
  /** At most 50 (SSM's limit); or `targets`. */
  instanceIds?: string[];
  targets?: SsmTarget[];
  maxConcurrency?: string;
  maxErrors?: string;
  comment?: string;
}

/** A command's aggregate state, from ListCommands. */
export interface CommandSummary {
  commandId: string;
  status: string;
  targetCount: number;
  completedCount: number;
  errorCount: number;
  deliveryTimedOutCount: number;
}

/** One instance's invocation of a command, from ListCommandInvocations with details. */
export interface Invocation {
  instanceId: string;
  status: string;
  /** The script's exit code; undefined while it runs or when it never ran (SSM reports -1). */
  exitCode?: number;
  /** stdout, then stderr after SSM's `----------ERROR-------` line; SSM truncates it at 2,500 characters. */
  output: string;
}

export interface FleetApi {
  /** Sends a command; returns its CommandId. */
  sendCommand(request: SendCommandRequest): Promise<string>;
  getCommand(commandId: string): Promise<CommandSummary>;
  /** Every invocation of a command (all pages), with output. */
  listInvocations(commandId: string): Promise<Invocation[]>;
  /** Managed instances matching all the targets, sorted by ID (DescribeInstanceInformation). */
  describeInstances(targets: SsmTarget[]): Promise<string[]>;
  close(): void;
}

export interface SsmOptions {
  region?: string;
  endpoint?: string;
  /** Attempts per call, retries included (the SDK's standard retry strategy, with backoff). */
  maxAttempts?: number;
  /** Fixed credentials instead of the SDK's chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** Connects to SSM with the SDK's standard credential chain and region resolution. */
export async function connectSsm(options: SsmOptions = {}): Promise<FleetApi> {
  const sdk = await import('@aws-sdk/client-ssm');
  const client: SSMClient = new sdk.SSMClient({
    region: options.region,
    endpoint: options.endpoint,
    maxAttempts: options.maxAttempts ?? 5,
    retryMode: 'standard',
    credentials: options.credentials,
    // Without these an endpoint that accepts and never answers would hang the command forever.
    requestHandler: { connectionTimeout: 10_000, requestTimeout: 60_000 },
  });
  const call = async <T>(operation: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw describeSsmError(operation, error);
    }
  };

  return {
    async sendCommand(request) {
      const answer = await call('SendCommand', () =>
        client.send(new sdk.SendCommandCommand({
          DocumentName: request.document,
          Parameters: { commands: [request.commandLine] },
          InstanceIds: request.instanceIds,
          Targets: request.targets,
          MaxConcurrency: request.maxConcurrency,
          MaxErrors: request.maxErrors,
          Comment: request.comment,
        })));
      const id = answer.Command?.CommandId;
      if (!id) throw new BrktError('unavailable', 'SSM SendCommand answered without a CommandId');
      return id;
    },

    async getCommand(commandId) {
      const answer = await call('ListCommands', () => client.send(new sdk.ListCommandsCommand({ CommandId: commandId })));
      const command = answer.Commands?.[0];
      if (!command) throw new BrktError('unavailable', `SSM ListCommands does not know command ${commandId}`);
      return {
        commandId,
        status: command.Status ?? 'Pending',
        targetCount: command.TargetCount ?? 0,
        completedCount: command.CompletedCount ?? 0,
        errorCount: command.ErrorCount ?? 0,
        deliveryTimedOutCount: command.DeliveryTimedOutCount ?? 0,
      };
    },

    async listInvocations(commandId) {
      const invocations: Invocation[] = [];
      let token: string | undefined;
      do {
        const page = await call('ListCommandInvocations', () =>
          client.send(new sdk.ListCommandInvocationsCommand({ CommandId: commandId, Details: true, MaxResults: 50, NextToken: token })));
        for (const item of page.CommandInvocations ?? []) {
          const plugin = item.CommandPlugins?.[0];
          const code = plugin?.ResponseCode;
          invocations.push({
            instanceId: item.InstanceId ?? '?',
            status: item.Status ?? 'Pending',
            exitCode: code === undefined || code === -1 ? undefined : code,
            output: plugin?.Output ?? '',
          });
        }
        token = page.NextToken;
      } while (token);
      return invocations;
    },

    async describeInstances(targets) {
      const ids: string[] = [];
      let token: string | undefined;
      const filters = targets.map(target => ({ Key: target.Key, Values: target.Values }));
      do {
        const page = await call('DescribeInstanceInformation', () =>
          client.send(new sdk.DescribeInstanceInformationCommand({ Filters: filters, MaxResults: 50, NextToken: token })));
        for (const info of page.InstanceInformationList ?? []) if (info.InstanceId) ids.push(info.InstanceId);
        token = page.NextToken;
      } while (token);
      return [...new Set(ids)].sort();
    },

    close: () => client.destroy(),
  };
}

/**
 * One line naming the call and the AWS error code (`InvalidDocument`, `AccessDeniedException`).
 * A missing region is a usage error: nothing could be sent.
 */
export function describeSsmError(operation: string, error: unknown): BrktError {
  if (error instanceof BrktError) return error;
  const name = (error as { name?: string } | undefined)?.name ?? 'Error';
  const message = messageOf(error).replace(/\s+/g, ' ').trim();
  if (/region is missing/i.test(message)) {
    return new BrktError('usage', 'No AWS region: give --region or set AWS_REGION', { cause: error });
  }
  if (name === 'CredentialsProviderError') {
    return new BrktError('unavailable', `No AWS credentials for SSM ${operation}: ${message}`, { cause: error });
  }
  const code = (error as { code?: string }).code;
  if (name === 'Error' || name === 'TypeError' || code === 'ECONNREFUSED') {
    return new BrktError('unavailable', `SSM ${operation} failed: ${code ?? name}: ${message}`, { cause: error });
  }
  return new BrktError('unavailable', `SSM ${operation} failed: ${name}: ${message}`, { cause: error });
}
