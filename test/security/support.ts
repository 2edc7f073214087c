import { createServer as createHttpsServer, type Server } from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { X509Certificate } from 'node:crypto';
import type { CertPair } from '../../dev/lab/certs';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface RecordingServer {
  url: string;
  origin: string;
  /** SHA-256 fingerprint of the certificate it presents, as a pin would name it. */
  fingerprint256: string;
  requests: SeenRequest[];
  stop(): Promise<void>;
}

/**
 * An HTTPS server that stands for whatever an attacker runs: it records every request (method, URL, headers,
 * body) and answers with `answer` (default: 200 `{}`), so a test can assert that nothing, and no secret, reached it.
 */
export async function recordingServer(
  pair: CertPair,
  answer?: (req: SeenRequest, res: ServerResponse) => void,
): Promise<RecordingServer> {
  const requests: SeenRequest[] = [];
  const server: Server = createHttpsServer({ key: pair.key, cert: pair.cert }, (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      if (answer) return answer(seen, res);
      res.writeHead(200, { 'content-type': 'application/json', 'x-hm-authorization': 'forged-session' });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const origin = `https://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    fingerprint256: new X509Certificate(pair.cert).fingerprint256,
    requests,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
