// `apiclient network configure [SOURCE]` (settings-now.md 6): reads net.toml from any apply
// source and sends it unparsed; the server validates it and writes it for the next boot.
import { BrktError, messageOf } from '../../core/errors';
import { selectSource } from '../../core/client/uri-source';
import type { ApiClient } from '../../core/client/api-client';

const URI = '/actions/network/configure';

export async function configureNetwork(client: ApiClient, input: string): Promise<void> {
  const failed = (prefix: string, error: unknown) => new BrktError('io', `${prefix}: ${messageOf(error)}`, { cause: error });
  let source;
  try {
    source = selectSource(input);
  } catch (error) {
    throw failed('Failed to get network configuration content', failed('Failed to select resolver', error));
  }
  let content: string;
  try {
    content = await (await import('../../platform/uri-sources')).readUriSource(source);
  } catch (error) {
    throw failed('Failed to get network configuration content', failed('Resolver failed', error));
  }
  try {
    await client.checked('POST', URI, content);
  } catch (error) {
    throw failed('Failed to configure network', failed(`Failed to POST network configuration to '${URI}'`, error));
  }
}
