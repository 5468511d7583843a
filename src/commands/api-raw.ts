// `brkt api`'s request and its fast path: the common form (-u/-m/-d/--socket) is parsed by hand
// so a raw request loads no CLI framework; anything else falls back to the clipanion command.
import { BrktError, messageOf } from '../core/errors';
import { unixRequest } from '../platform/unix-http';
import { writeOut } from './output';
import { reportError } from './report';
import type { LeanRunner } from './registry';

/** Sends one request; prints the body on 2xx, else throws one line with the status. */
export async function sendRaw(socket: string, method: string, uri: string, data?: string): Promise<void> {
  if (!uri.startsWith('/')) throw new BrktError('usage', `The URI '${uri}' must start with /`);
  const verb = method.toUpperCase();
  // fetch sends GET for a method it does not know: refuse rather than send another request.
  if (!/^[A-Z0-9!#$%&'*+.^_`|~-]+$/.test(verb) || new Request('http://localhost/', { method: verb }).method !== verb) {
    throw new BrktError('usage', `Cannot send method '${method}': the HTTP client knows only the standard and WebDAV methods`);
  }
  let reply;
  try {
    reply = await unixRequest(socket, verb, uri, data);
  } catch (error) {
    throw new BrktError('unavailable', `Failed to reach the API on ${socket}: ${messageOf(error)}`);
  }
  if (reply.status >= 200 && reply.status < 300) {
    if (reply.body) writeOut(reply.body.endsWith('\n') ? reply.body : reply.body + '\n');
    return;
  }
  throw new BrktError('io', `${verb} ${uri} failed with status ${reply.status}: ${reply.body || reply.statusText}`);
}

const FLAGS: Record<string, 'uri' | 'method' | 'data' | 'socket'> = {
  '-u': 'uri', '--uri': 'uri', '-m': 'method', '--method': 'method', '-d': 'data', '--data': 'data', '--socket': 'socket',
};

/** Handles `brkt api` when every argument is one of its four options with a value. */
export const runApiLean: LeanRunner = async (args, { platform }) => {
  const given: Partial<Record<'uri' | 'method' | 'data' | 'socket', string>> = {};
  for (let i = 0; i < args.length; i += 2) {
    const [flag, value] = [args[i]!, args[i + 1]];
    const eq = flag.indexOf('=');
    const name = FLAGS[eq > 0 ? flag.slice(0, eq) : flag];
    if (!name) return undefined;
    if (eq > 0) {
      given[name] = flag.slice(eq + 1);
      i--;
    } else if (value === undefined) return undefined;
    else given[name] = value;
  }
  if (given.uri === undefined) return undefined;
  try {
    await sendRaw(given.socket ?? platform.paths.apiSocket, given.method ?? 'GET', given.uri, given.data);
    return 0;
  } catch (error) {
    return reportError('brkt', error);
  }
};
