// POST /actions/network/configure (settings-now.md 6; apiserver's network configure action
// and `netdog commit`): validate the raw body as net.toml and atomically replace
// `/.bottlerocket/net.toml`, which netdog applies at the next boot.
import { ApiError } from './api-error';
import { MAX_BODY_BYTES } from './request';
import { BrktError, messageOf } from '../errors';
import type { Platform } from '../../platform/types';

async function bodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body ?? []) {
    size += chunk.length;
    if (size > limit) throw new ApiError(413, `Payload too large: the body has more than ${limit} bytes, the limit is ${limit}`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function configureNetwork(platform: Platform, request: Request, limit = MAX_BODY_BYTES): Promise<Response> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(await bodyBytes(request, limit));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(400, 'Network configuration content is not valid UTF-8');
  }
  try {
    // Loaded on first use: the server's start-up path need not parse net.toml schemas.
    const { validateNetToml } = await import('../network-config/net-toml');
    await validateNetToml(text);
  } catch (error) {
    if (error instanceof BrktError) throw new ApiError(400, `Invalid network configuration: ${error.message}`);
    throw error;
  }
  const dir = await platform.privateDir();
  // netdog fails when the directory is missing; the server reports any netdog failure as 400.
  if (!dir) throw new ApiError(400, `Invalid network configuration: Network configuration directory '${platform.paths.privateDir}' does not exist`);
  try {
    await platform.files.writeAtomic(platform.paths.netToml, text, { mode: 0o644 });
  } catch (error) {
    throw new ApiError(500, `Failed to write network configuration to '${platform.paths.netToml}': ${messageOf(error)}`);
  }
  return new Response(null, { status: 204 });
}
