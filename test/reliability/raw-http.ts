import net from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * One HTTP/1.1 request written byte for byte over a fresh loopback connection (`connection: close`),
 * so tests can send what no well-behaved client would: raw non-UTF-8 paths, invalid
 * percent-encoding, huge headers, lying content-lengths. Resolves with the parsed answer, or
 * `undefined` when the server closed the connection without one.
 */
export function rawRequest(
  url: string,
  request: {
    method: string;
    path: Buffer | string;
    headers?: Array<[string, string]>;
    body?: Buffer | string;
  },
  timeoutMs = 10_000,
): Promise<RawResponse | undefined> {
  const { hostname, port } = new URL(url);
  const body = request.body === undefined ? undefined : Buffer.from(request.body);
  const headers: Array<[string, string]> = [
    ['host', `${hostname}:${port}`],
    ['connection', 'close'],
  ];
  headers.push(...(request.headers ?? []));
  if (body !== undefined && !headers.some(([k]) => k.toLowerCase() === 'content-length'))
    headers.push(['content-length', String(body.length)]);
  const head = Buffer.concat([
    Buffer.from(`${request.method} `),
    Buffer.from(request.path),
    Buffer.from(` HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`),
  ]);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`no answer in ${timeoutMs} ms to ${request.method} ${String(request.path).slice(0, 200)}`),
      );
    }, timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', () => undefined); // a reset after the answer is fine; judged on close
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parse(Buffer.concat(chunks)));
    });
    let answered = false;
    socket.once('data', () => (answered = true));
    // Write the body in pieces and stop once the server answered (a 413 closes the connection
    // while we are still sending; writing on would reset it and lose the answer).
    const pump = async () => {
      const write = (b: Buffer) => new Promise<void>((r) => socket.write(b, () => r()));
      await write(head);
      for (let at = 0; body && at < body.length && !answered && !socket.destroyed; at += 16_384)
        await write(body.subarray(at, at + 16_384));
    };
    void pump();
  });
}

function parse(data: Buffer): RawResponse | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1]);
  if (!status) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  let body = data.subarray(end + 4);
  if (headers['transfer-encoding']?.includes('chunked')) {
    const parts: Buffer[] = [];
    let rest = body;
    for (;;) {
      const eol = rest.indexOf('\r\n');
      if (eol < 0) break;
      const size = parseInt(rest.subarray(0, eol).toString('latin1'), 16);
      if (!size) break;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      rest = rest.subarray(eol + 2 + size + 2);
    }
    body = Buffer.concat(parts);
  }
  return { status, headers, body };
}
