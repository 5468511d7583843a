// An SSM-compatible HTTP server on 127.0.0.1 (port 0) for fleet tests: the AWS JSON 1.1
// protocol (`X-Amz-Target: AmazonSSM.<Operation>`) with simulated Bottlerocket hosts behind it.
// It records every request, so tests can assert what was sent, and to which instances.

/** What a simulated host does with the update command. */
export type UpdateBehaviour =
  | 'ok'        // applies the update; after the reboot it reports the new version
  | 'fails'     // the update command exits 1
  | 'stays'     // the command succeeds but the host boots the old version again (rollback)
  | 'vanishes'; // the command succeeds, then the host never answers again

export interface FakeInstanceSpec {
  id: string;
  tags?: Record<string, string>;
  version?: string;
  /** Version an `ok` update installs when the command names none (default 1.1.0). */
  newVersion?: string;
  update?: UpdateBehaviour;
  /** Never answers any command (its invocations stay InProgress). */
  silent?: boolean;
  /** After an update, this many version queries fail as if the host were still rebooting. */
  rebootQueries?: number;
  settings?: Record<string, unknown>;
}

export interface RecordedRequest {
  operation: string;
  body: Record<string, any>;
  authorization: string;
}

interface Answer {
  status: 'Success' | 'Failed';
  exitCode: number;
  stdout: string;
  stderr: string;
}

interface FakeInvocation {
  instanceId: string;
  /** Reads left before the invocation shows its final state; undefined answer: never. */
  readsLeft: number;
  answer?: Answer;
}

interface FakeCommand {
  id: string;
  input: Record<string, any>;
  invocations: FakeInvocation[];
}

interface HostState extends Required<Omit<FakeInstanceSpec, 'tags' | 'settings'>> {
  tags: Record<string, string>;
  settings: Record<string, unknown>;
  rebootsLeft: number;
}

export interface FakeSsm extends AsyncDisposable {
  endpoint: string;
  requests: RecordedRequest[];
  hosts: Map<string, HostState>;
  /** Bodies of the requests of one operation, in order. */
  calls(operation: string): Record<string, any>[];
  /** Shell lines sent to an instance by SendCommand, in order (targets resolved). */
  linesSentTo(instanceId: string): string[];
  /** The next `times` requests of `operation` get a ThrottlingException. */
  throttle(operation: string, times?: number): void;
}

export interface FakeSsmOptions {
  instances: FakeInstanceSpec[];
  /** Documents that exist (default AWS-RunShellScript). */
  documents?: string[];
  /** Reads an invocation stays InProgress before its result shows (default 1). */
  latency?: number;
  /** Page size of the List/Describe operations (default 50), to exercise NextToken. */
  pageSize?: number;
  /** Parameter Store values GetParameter answers, by name (or full ARN). */
  parameters?: Record<string, string>;
}

class SsmError extends Error {
  constructor(readonly type: string, message: string) {
    super(message);
  }
}

export function startFakeSsm(options: FakeSsmOptions): FakeSsm {
  const documents = new Set(options.documents ?? ['AWS-RunShellScript']);
  const latency = options.latency ?? 1;
  const pageSize = options.pageSize ?? 50;
  const hosts = new Map<string, HostState>(options.instances.map(spec => [spec.id, {
    id: spec.id,
    tags: spec.tags ?? {},
    version: spec.version ?? '1.0.0',
    newVersion: spec.newVersion ?? '1.1.0',
    update: spec.update ?? 'ok',
    silent: spec.silent ?? false,
    rebootQueries: spec.rebootQueries ?? 0,
    rebootsLeft: 0,
    settings: structuredClone(spec.settings ?? { motd: 'Welcome to Bottlerocket!' }),
  }]));
  const commands = new Map<string, FakeCommand>();
  const requests: RecordedRequest[] = [];
  const throttles = new Map<string, number>();
  let nextCommand = 1;

  const operations: Record<string, (body: Record<string, any>) => unknown> = {
    GetParameter(body) {
      const value = options.parameters?.[body.Name];
      if (value === undefined) throw new SsmError('ParameterNotFound', `Parameter ${body.Name} not found.`);
      return { Parameter: { Name: body.Name, Type: body.WithDecryption ? 'SecureString' : 'String', Value: value, Version: 1 } };
    },
    SendCommand(body) {
      if (!documents.has(body.DocumentName)) throw new SsmError('InvalidDocument', `Document ${body.DocumentName} does not exist`);
      const ids = body.InstanceIds?.length ? body.InstanceIds as string[] : resolveTargets(body.Targets ?? []);
      const unknown = ids.filter(id => !hosts.has(id));
      if (unknown.length) throw new SsmError('InvalidInstanceId', `Instances [${unknown.join(', ')}] not in a valid state for account`);
      const lines = body.Parameters?.commands as string[] | undefined;
      if (!lines?.length) throw new SsmError('InvalidParameters', 'Parameter commands is required');
      const id = `00000000-0000-4000-8000-${String(nextCommand++).padStart(12, '0')}`;
      const invocations = ids.map(instanceId => ({ instanceId, readsLeft: latency, answer: runOnHost(hosts.get(instanceId)!, lines.join('\n')) }));
      const command = { id, input: body, invocations };
      commands.set(id, command);
      return { Command: describeCommand(command) };
    },
    ListCommands(body) {
      const command = findCommand(body.CommandId);
      const described = describeCommand(command);
      observe(command);
      return { Commands: [described] };
    },
    ListCommandInvocations(body) {
      const command = findCommand(body.CommandId);
      const start = Number(body.NextToken ?? 0);
      const size = Math.min(pageSize, body.MaxResults ?? 50);
      const page = command.invocations.slice(start, start + size).map(invocation => describeInvocation(command, invocation, body.Details === true));
      if (start + size >= command.invocations.length) observe(command);
      return { CommandInvocations: page, ...(start + size < command.invocations.length ? { NextToken: String(start + size) } : {}) };
    },
    DescribeInstanceInformation(body) {
      const filters = (body.Filters ?? []) as Array<{ Key: string; Values: string[] }>;
      const matching = [...hosts.values()].filter(host => filters.every(filter => matches(host, filter.Key, filter.Values)));
      const start = Number(body.NextToken ?? 0);
      const size = Math.min(pageSize, body.MaxResults ?? 50);
      const page = matching.slice(start, start + size).map(host => ({ InstanceId: host.id, PingStatus: 'Online', PlatformType: 'Linux', PlatformName: 'Bottlerocket' }));
      return { InstanceInformationList: page, ...(start + size < matching.length ? { NextToken: String(start + size) } : {}) };
    },
  };

  function resolveTargets(targets: Array<{ Key: string; Values: string[] }>): string[] {
    return [...hosts.values()].filter(host => targets.every(target => matches(host, target.Key, target.Values))).map(host => host.id).sort();
  }

  function findCommand(id: string): FakeCommand {
    const command = commands.get(id);
    if (!command) throw new SsmError('InvalidCommandId', `Command ${id} does not exist`);
    return command;
  }

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const target = request.headers.get('x-amz-target') ?? '';
      const operation = target.replace(/^AmazonSSM\./, '');
      const body = (await request.json().catch(() => ({}))) as Record<string, any>;
      requests.push({ operation, body, authorization: request.headers.get('authorization') ?? '' });
      const left = throttles.get(operation) ?? 0;
      if (left > 0) {
        throttles.set(operation, left - 1);
        return error(new SsmError('ThrottlingException', 'Rate exceeded'));
      }
      const handler = target.startsWith('AmazonSSM.') ? operations[operation] : undefined;
      if (!handler) return error(new SsmError('UnknownOperationException', `Unknown operation ${target}`));
      try {
        return Response.json(handler(body), { headers: { 'content-type': 'application/x-amz-json-1.1' } });
      } catch (caught) {
        if (caught instanceof SsmError) return error(caught);
        throw caught;
      }
    },
  });

  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    requests,
    hosts,
    calls: operation => requests.filter(request => request.operation === operation).map(request => request.body),
    linesSentTo: instanceId => [...commands.values()]
      .filter(command => command.invocations.some(invocation => invocation.instanceId === instanceId))
      .map(command => (command.input.Parameters.commands as string[]).join('\n')),
    throttle: (operation, times = 1) => void throttles.set(operation, times),
    async [Symbol.asyncDispose]() {
      await server.stop(true);
    },
  };
}

function error(caught: SsmError): Response {
  return Response.json({ __type: `com.amazonaws.ssm#${caught.type}`, message: caught.message }, {
    status: 400,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': caught.type },
  });
}

function matches(host: HostState, key: string, values: string[]): boolean {
  if (key.startsWith('tag:')) return values.includes(host.tags[key.slice(4)] ?? '\0');
  if (key === 'tag-key') return values.some(value => value in host.tags);
  if (key === 'InstanceIds') return values.includes(host.id);
  return false;
}

/** Each read of a command brings its invocations one step closer to showing their result. */
function observe(command: FakeCommand) {
  for (const invocation of command.invocations) if (invocation.answer && invocation.readsLeft > 0) invocation.readsLeft--;
}

const isDone = (invocation: FakeInvocation) => invocation.answer !== undefined && invocation.readsLeft === 0;

function describeCommand(command: FakeCommand) {
  const done = command.invocations.filter(isDone);
  const errors = done.filter(invocation => invocation.answer!.status !== 'Success').length;
  const finished = done.length === command.invocations.length;
  return {
    CommandId: command.id,
    DocumentName: command.input.DocumentName,
    Parameters: command.input.Parameters,
    InstanceIds: command.input.InstanceIds ?? [],
    Targets: command.input.Targets ?? [],
    MaxConcurrency: command.input.MaxConcurrency ?? '50',
    MaxErrors: command.input.MaxErrors ?? '0',
    Status: !finished ? 'InProgress' : errors ? 'Failed' : 'Success',
    TargetCount: command.invocations.length,
    CompletedCount: done.length,
    ErrorCount: errors,
    DeliveryTimedOutCount: 0,
    RequestedDateTime: Date.now() / 1000,
  };
}

function describeInvocation(command: FakeCommand, invocation: FakeInvocation, details: boolean) {
  const answer = isDone(invocation) ? invocation.answer! : undefined;
  const status = answer?.status ?? 'InProgress';
  // SSM's plugin output: stdout, then stderr after a marker line, cut at 2,500 characters.
  const output = answer ? (answer.stdout + (answer.stderr ? `\n----------ERROR-------\n${answer.stderr}` : '')).slice(0, 2500) : '';
  return {
    CommandId: command.id,
    InstanceId: invocation.instanceId,
    DocumentName: command.input.DocumentName,
    Status: status,
    StatusDetails: status,
    ...(details ? { CommandPlugins: [{ Name: 'aws:runShellScript', Status: status, ResponseCode: answer?.exitCode ?? -1, Output: output }] } : {}),
  };
}

/** The simulated host: understands the brkt and apiclient command lines fleet sends. */
function runOnHost(host: HostState, script: string): Answer | undefined {
  if (host.silent) return undefined;
  const words = splitShell(script);
  const line = words.join(' ');
  const ok = (stdout = ''): Answer => ({ status: 'Success', exitCode: 0, stdout, stderr: '' });
  const failed = (exitCode: number, stderr: string): Answer => ({ status: 'Failed', exitCode, stdout: '', stderr });

  if (line === 'apiclient get os') {
    if (host.rebootsLeft > 0) {
      host.rebootsLeft--;
      return failed(1, "Failed to get settings: Failed to send request: connection refused");
    }
    return ok(JSON.stringify({ os: { arch: 'x86_64', build_id: 'abcdef01', pretty_name: `Bottlerocket OS ${host.version}`, variant_id: 'aws-dev', version_id: host.version } }, null, 2) + '\n');
  }
  if (line.startsWith('brkt update --now --reboot')) {
    const image = words[words.indexOf('--image') + 1];
    switch (host.update) {
      case 'fails':
        return failed(1, 'Failed to write the update to the inactive partition set: No space left on device');
      case 'vanishes':
        host.silent = true;
        return ok('Update written to partition set B; rebooting\n');
      case 'stays':
        return ok('Update written to partition set B; rebooting\n');
      case 'ok':
        host.version = words.includes('--image') && image ? image : host.newVersion;
        host.rebootsLeft = host.rebootQueries;
        return ok(`Update ${host.version} written to partition set B; rebooting\n`);
    }
  }
  if (words[0] === 'brkt' && words[1] === 'settings' && words[2] === 'get') {
    const keys = words.slice(3).map(key => key.replace(/^settings\./, ''));
    const picked = keys.length ? Object.fromEntries(keys.filter(key => key in host.settings).map(key => [key, host.settings[key]])) : host.settings;
    return ok(JSON.stringify({ settings: picked }, null, 2) + '\n');
  }
  if (words[0] === 'apiclient' && words[1] === 'set') {
    for (const pair of words.slice(2)) {
      const equals = pair.indexOf('=');
      if (equals <= 0) return failed(2, `Unknown argument '${pair}'`);
      host.settings[pair.slice(0, equals).replace(/^settings\./, '')] = pair.slice(equals + 1);
    }
    return ok();
  }
  return failed(127, `sh: line 1: ${words[0] ?? ''}: command not found`);
}

/** Splits a shell line into words: single quotes, double quotes and backslashes, as sh does. */
export function splitShell(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === "'") {
      const end = line.indexOf("'", i + 1);
      word += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (char === '"') {
      for (i++; i < line.length && line[i] !== '"'; i++) word += line[i] === '\\' ? line[++i] : line[i];
      inWord = true;
    } else if (char === '\\') {
      word += line[++i] ?? '';
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
