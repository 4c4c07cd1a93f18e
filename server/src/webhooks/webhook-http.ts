import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

export type PostOutcome = { statusCode: number } | { statusCode: null; detail: string };

/**
 * POSTs `body` to `url`, connecting to `address` (already checked) whatever DNS says now: the
 * connection's own lookup answers with it, while TLS still checks the certificate against the URL's
 * host name. Redirects are not followed and the response body is not read.
 */
export function postTo(
  url: URL,
  target: { address: string; family: 4 | 6 },
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostOutcome> {
  const pinned: LookupFunction = (_hostname, options, callback) => {
    if (options.all) (callback as (error: null, addresses: Array<{ address: string; family: number }>) => void)(null, [target]);
    else callback(null, target.address, target.family);
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: pinned,
        // A fresh connection per attempt: a pooled socket could have been opened for another address.
        agent: false,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (response) => {
        resolve({ statusCode: response.statusCode ?? 0 });
        response.destroy();
      },
    );
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ statusCode: null, detail: error.code ?? error.name }));
    request.end(body);
  });
}
