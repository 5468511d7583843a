// HTTP/1.1 over the API's Unix socket. Bun's fetch speaks it directly and costs far less at
// start-up than node:http or node:net (perf notes).

export interface HttpReply {
  status: number;
  statusText: string;
  body: string;
}

/**
 * One request. Every request carries `Content-Type: application/json`, as upstream's client
 * does; a body is sent only when given. Transport failures throw with the OS reason.
 */
export async function unixRequest(socket: string, method: string, uri: string, body?: string): Promise<HttpReply> {
  const response = await fetch(`http://localhost${uri}`, {
    unix: socket,
    method,
    headers: { 'content-type': 'application/json' },
    body,
    keepalive: false,
  } as RequestInit);
  const bytes = new Uint8Array(await response.arrayBuffer());
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new Error(`Response was not UTF-8: ${(error as Error).message}`);
  }
  return { status: response.status, statusText: response.statusText, body: text };
}
