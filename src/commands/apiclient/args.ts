// apiclient's command line (apiclient.md 1): global options anywhere, then the first
// subcommand word; hand-parsed like upstream so the hot path loads no CLI framework.
import { BrktError } from '../../core/errors';

export const SUBCOMMANDS = ['raw', 'apply', 'exec', 'get', 'lockdown', 'network', 'reboot', 'report', 'set', 'update', 'ephemeral-storage'] as const;
export type Subcommand = (typeof SUBCOMMANDS)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface GlobalArgs {
  socket?: string;
  logLevel: LogLevel;
  help: boolean;
  subcommand: Subcommand;
  args: string[];
}

const usage = (message: string) => new BrktError('usage', message);

/** Takes the value after an option, or fails with upstream's message. */
export function takeValue(args: string[], index: number, names: string): string {
  const value = args[index + 1];
  if (value === undefined) throw usage(`Did not give argument to ${names}`);
  return value;
}

export function parseGlobal(argv: string[]): GlobalArgs {
  const rest: string[] = [];
  let socket: string | undefined;
  let logLevel: LogLevel = 'info';
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-s' || arg === '--socket-path') socket = takeValue(argv, i++, '-s | --socket-path');
    else if (arg === '--log-level') {
      const level = takeValue(argv, i++, '--log-level');
      if (!(LOG_LEVELS as readonly string[]).includes(level)) throw usage(`Invalid log level '${level}'`);
      logLevel = level as LogLevel;
    } else if (arg === '-v' || arg === '--verbose') logLevel = 'debug';
    else if (arg === '-h' || arg === '--help') help = true;
    else rest.push(arg);
  }
  // Quirk (apiclient): the first subcommand word anywhere is the subcommand, so in
  // `apiclient -u get` the word `get` wins and `-u` is left as an unknown argument.
  const at = rest.findIndex(arg => (SUBCOMMANDS as readonly string[]).includes(arg));
  const subcommand = at < 0 ? 'raw' : (rest[at] as Subcommand);
  const args = at < 0 ? rest : [...rest.slice(0, at), ...rest.slice(at + 1)];
  return { socket, logLevel, help, subcommand, args };
}

export interface RawArgs {
  uri: string;
  method: string;
  data?: string;
}

export function parseRaw(args: string[]): RawArgs {
  let uri: string | undefined;
  let method = 'GET';
  let data: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-u' || arg === '--uri') uri = takeValue(args, i++, '-u | --uri');
    else if (arg === '-m' || arg === '-X' || arg === '--method') method = takeValue(args, i++, '-m | --method');
    else if (arg === '-d' || arg === '--data') data = takeValue(args, i++, '-d | --data');
    else throw usage(`Unknown argument '${arg}'`);
  }
  if (uri === undefined) throw usage(`Missing required argument '--uri'`);
  return { uri, method, data };
}

export type GetArgs = { canonicalize: boolean } & ({ uri: string } | { prefixes: string[]; exclude: string[] });

/** `--exclude PREFIX` (repeatable) and `--canonicalize` anywhere after `get` (settings-now.md 3.2). */
export function parseGet(args: string[]): GetArgs {
  const uris: string[] = [];
  const prefixes: string[] = [];
  const exclude: string[] = [];
  let canonicalize = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--canonicalize') canonicalize = true;
    else if (arg === '--exclude') exclude.push(takeValue(args, i++, '--exclude'));
    else if (arg.startsWith('-')) throw usage(`Unknown argument '${arg}'`);
    else if (arg.startsWith('/')) {
      if (uris.length) throw usage('You can only specify one URI.');
      uris.push(arg);
    } else prefixes.push(arg);
  }
  if (uris.length && (prefixes.length || exclude.length)) throw usage('You can specify prefixes or a URI, but not both.');
  if (uris.length) return { uri: uris[0]!, canonicalize };
  return { prefixes: prefixes.length ? prefixes : ['os.', 'settings.'], exclude, canonicalize };
}

export type SetArgs = { pairs: string[] } | { json: string };

export function parseSet(args: string[]): SetArgs {
  const pairs: string[] = [];
  let json: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '-j' || arg === '--json') {
      if (json !== undefined) {
        throw usage(`Can't specify the --json argument multiple times.  You can set as many settings as needed within the JSON object.`);
      }
      json = takeValue(args, i++, '-j | --json');
    } else if (arg.includes('=')) pairs.push(arg);
    else throw usage(`Unknown argument '${arg}'`);
  }
  if (json !== undefined && pairs.length) throw usage(`Cannot specify key=value pairs and --json settings with 'set'`);
  if (json !== undefined) return { json };
  if (!pairs.length) throw usage(`Must specify key=value settings or --json settings with 'set'`);
  return { pairs };
}

export function parseApply(args: string[]): string[] {
  for (const arg of args) {
    if (arg.startsWith('-') && arg !== '-') throw usage('apiclient apply takes no parameters, just a list of URIs.');
  }
  return args.length ? args : ['-'];
}

export type UpdateArgs = { verb: 'check' } | { verb: 'cancel' } | { verb: 'apply'; check: boolean; reboot: boolean };

export function parseUpdate(args: string[]): UpdateArgs {
  const [verb, ...rest] = args;
  if (verb === 'check' || verb === 'cancel') {
    if (rest.length) throw usage(`Unknown arguments: ${rest.join(', ')}`);
    return { verb };
  }
  if (verb === 'apply') {
    let check = false;
    let reboot = false;
    for (const arg of rest) {
      if (arg === '-c' || arg === '--check') check = true;
      else if (arg === '-r' || arg === '--reboot') reboot = true;
      else throw usage(`Unknown argument '${arg}'`);
    }
    return { verb, check, reboot };
  }
  throw usage(`Missing or unknown subcommand for 'update'`);
}

/** `apiclient lockdown` takes no arguments. */
export function parseLockdown(args: string[]): void {
  if (args.length) throw usage(`Unknown arguments: ${args.join(', ')}`);
}

/** `apiclient network configure [SOURCE]`: one source at most; none is stdin. */
export function parseNetwork(args: string[]): { source: string } {
  const at = args.indexOf('configure');
  if (at < 0) throw usage(`Missing or unknown subcommand for 'network'`);
  const rest = [...args.slice(0, at), ...args.slice(at + 1)];
  if (rest.length > 1) throw usage('apiclient network configure takes only one input source URI.');
  return { source: rest[0] ?? '-' };
}

export function parseReboot(args: string[]): void {
  if (args.length) throw usage(`Unknown arguments: ${args.join(', ')}`);
}

export const USAGE = `Usage: apiclient [SUBCOMMAND] [OPTIONS]

    Subcommands:
        raw                        Makes an HTTP request and prints the response on stdout.
                                   'raw' is the default subcommand and may be omitted.
        apply                      Applies settings from TOML/JSON files at given URIs, or from stdin.
        get                        Retrieve and print settings.
        set                        Changes settings and applies them to the system.
        network configure          Configures network settings from a net.toml file at the
                                   given URI, or from stdin; it takes effect at the next boot.
        lockdown                   Locks down the datastore until the next boot.
        update check               Prints information about available updates.
        update apply               Applies available updates.
        update cancel              Deactivates an applied update.
        reboot                     Reboots the host.
        exec                       Runs a command in a running host container.

    Global options:
        -s, --socket-path PATH     Override the server socket path.  Default: /run/api.sock
        --log-level                Desired amount of output; trace|debug|info|warn|error
        -v, --verbose              Sets log level to 'debug'.  This prints extra info,
                                   like HTTP status code to stderr in 'raw' mode.

    raw options:
        -u, --uri URI              Required; URI to request from the server, e.g. /tx
        -m, -X, --method METHOD    HTTP method to use in request.  Default: GET
        -d, --data DATA            Data to include in the PUT/POST/PATCH request body.

    apply options:
        URI ...                    Input sources: '-' for stdin (the default), base64:DATA,
                                   file:///path, http(s)://..., s3://bucket/key, ssm://name,
                                   secretsmanager://id, or an SSM / Secrets Manager ARN.
                                   Later inputs win.

    get options:
        [ PREFIX [PREFIX ...] ]    The settings you want to get.  Full settings names work fine,
                                   or you can specify prefixes to fetch all settings under them.
        [ /desired-uri ]           The API URI to fetch.  Cannot be specified with prefixes.
                                   If neither is given, all settings and OS data are fetched.
        --exclude PREFIX           Exclude settings matching this prefix from the results.
                                   Can be specified multiple times. Only valid with prefixes.
        --canonicalize             Output as canonical JSON (no whitespace, sorted keys).

    network configure options:
        [ URI ]                    The net.toml to use, from any source 'apply' accepts;
                                   stdin when none is given.

    set options:
        KEY=VALUE [KEY=VALUE ...]  The settings you want to set.  For example:
                                      settings.motd="hi there" settings.ntp.time-servers=["time.example.com"]
                                   The 'settings.' prefix is optional.
                                   Quote keys that contain dots: 'kubernetes.node-labels."my.label"=x'
        -j, --json JSON            Alternatively, you can specify settings in JSON format,
                                   which can simplify setting multiple values, and is necessary
                                   for some numeric settings.

    update check options:
        None.

    update apply options:
        -c, --check                Automatically 'update check' and make sure an update is available.
        -r, --reboot               Automatically reboot if an update was found and applied.

    update cancel options:
        None.

    reboot options:
        None.

    exec options:
        TARGET                     Required; the name of the host container, e.g. admin
        COMMAND [ARG ...]          Required; the command to run, e.g. bash
        -t, --tty                  Use a TTY; the default when stdin and stdout are terminals.
        -T, --no-tty               Never use a TTY.
`;
