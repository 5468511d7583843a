// `brkt apiserver [--socket P]` and the upstream `apiserver` role with its own flags
// (api.md 1.1: --datastore-path, --socket-path, --socket-gid, --log-level).
import { Command, Option } from 'clipanion';
import { BrktCommand } from '../base';
import { hostServices } from '../../core/api/host-services';
import { ApiServer } from '../../core/api/server';
import { BrktError } from '../../core/errors';
import { makePlatform } from '../../platform';
import { reportError } from '../report';
import { writeErr, writeOut } from '../output';
import { resolve } from 'node:path';
import { serveUntilStopped } from './serve';
import type { RoleRunner } from '../registry';

const log = (line: string) => writeErr(line + '\n');

function parseGid(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new BrktError('usage', `Invalid --socket-gid '${value}': must be a numeric group id`);
  return Number(value);
}

export class ApiserverCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Serve the settings API on a Unix socket, in the foreground',
    details: 'Serves the datastore under the root (var/lib/bottlerocket/datastore/current) on run/api.sock, mode 0660. A stale socket file is replaced; a running server is not. SIGTERM or SIGINT stops it and removes the socket.',
    examples: [['Serve a sandbox API on another socket', '$0 --root ./sandbox apiserver --socket /tmp/api.sock']],
  });
  socket = Option.String('--socket', { description: 'Socket path (default: run/api.sock under the root, or $BRKT_SOCKET)' });
  socketGid = Option.String('--socket-gid', { description: 'Numeric group to give the socket' });

  async run() {
    const platform = this.socket ? makePlatform({ root: this.platform.paths.root, socket: this.socket }) : this.platform;
    const server = await ApiServer.open(platform, { ...hostServices(platform, log), gid: parseGid(this.socketGid), log });
    await serveUntilStopped(server, log);
  }
}

const USAGE = `Usage: apiserver --datastore-path PATH [--socket-path PATH] [--socket-gid GID] [--log-level trace|debug|info|warn|error]
       brkt apiserver [--socket PATH] [--socket-gid GID]
    --datastore-path PATH   the datastore directory (with live/ and pending/); brkt: default from the root
    --socket-path PATH      Unix socket to listen on (default: /run/api.sock); --socket is the same
    --socket-gid GID        numeric group to give the socket
    --log-level LEVEL       accepted for compatibility
`;

const FLAGS = ['--datastore-path', '--socket-path', '--socket', '--socket-gid', '--log-level', '--exec-socket-path'];

/**
 * Upstream apiserver's flags (by the name `apiserver`, `--datastore-path` is required as
 * upstream has it), and `brkt apiserver`'s `--socket`. Unknown arguments: usage, exit 2.
 */
export const runRole: RoleRunner = async (args, { shown, platform }) => {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--help' || arg === '-h') {
      writeOut(USAGE);
      return 0;
    }
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = inline ?? args[++i];
    if (!FLAGS.includes(name) || value === undefined) {
      writeErr(`${shown}: ${FLAGS.includes(name) ? `${name} needs a value` : `unknown argument '${arg}'`}\n${USAGE}`);
      return 2;
    }
    values.set(name === '--socket' ? '--socket-path' : name, value);
  }
  const upstream = !shown.startsWith('brkt');
  const datastorePath = values.get('--datastore-path');
  if (upstream && !datastorePath) {
    writeErr(`${shown}: --datastore-path is required\n${USAGE}`);
    return 2;
  }
  try {
    const gid = parseGid(values.get('--socket-gid'));
    const rooted = (path: string) => (path.startsWith('/') ? platform.path(path) : platform.path(`${process.cwd()}/${path}`));
    const path = datastorePath ? rooted(datastorePath) : platform.paths.datastore;
    if (!(await platform.files.exists(path))) {
      writeErr(upstream ? 'Datastore does not exist, did storewolf run?\n' : `${shown}: Datastore does not exist at ${path}, did storewolf run? ('brkt boot' creates it)\n`);
      return 1;
    }
    const socket = values.get('--socket-path');
    // brkt's --socket is a path on this machine (like BRKT_SOCKET); upstream's lies under the root.
    const socketPath = socket === undefined ? undefined : upstream ? rooted(socket) : resolve(socket);
    const serving = socketPath ? makePlatform({ root: platform.paths.root, socket: socketPath }) : platform;
    const server = await ApiServer.open(serving, { ...hostServices(serving, log), datastorePath: path, gid, log });
    await serveUntilStopped(server, log);
    return 0;
  } catch (error) {
    return reportError(shown, error, { usage: 2 });
  }
};

export const commands = [ApiserverCommand];
