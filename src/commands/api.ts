// `brkt api -u URI [-m METHOD] [-d DATA] [--socket P]`: one raw request to the API socket,
// like upstream `apiclient raw`. Kept lean: fetch over the socket, nothing else loaded.
import { Command, Option } from 'clipanion';
import { BrktCommand } from './base';
import { sendRaw } from './api-raw';

export class ApiCommand extends BrktCommand {
  static override paths = [[]];
  static override usage = Command.Usage({
    description: 'Send one raw request to the API and print the response body',
    details: 'Exits 0 on a 2xx answer; otherwise prints the status and the body on stderr and exits 1. Bodies are sent as application/json.',
    examples: [
      ['Read all settings', '$0 api -u /settings'],
      ['Stage and commit a change', `$0 api -m PATCH -u /settings -d '{"motd":"hi"}' && $0 api -m POST -u /tx/commit_and_apply`],
    ],
  });
  uri = Option.String('-u,--uri', { required: true, description: 'Path and query, e.g. /settings?keys=settings.motd' });
  method = Option.String('-m,--method', 'GET', { description: 'HTTP method (default GET)' });
  data = Option.String('-d,--data', { description: 'Request body' });
  socket = Option.String('--socket', { description: 'Socket path (default: run/api.sock under the root, or $BRKT_SOCKET)' });

  async run() {
    await sendRaw(this.socket ?? this.platform.paths.apiSocket, this.method, this.uri, this.data);
  }
}

export const commands = [ApiCommand];
