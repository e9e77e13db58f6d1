import type { IncomingMessage } from 'node:http';

/** At most this much of a refused request's body is read (and thrown away) before answering. */
export const DRAIN_MAX_BYTES = 16 * 1024 * 1024;
/** …and for at most this long. */
export const DRAIN_MAX_MS = 5_000;

/**
 * Whether a request is being answered before its body arrived: a 401 from an auth hook, a 413,
 * a 404 for a POST. Closing the connection then, while the client is still sending, makes the
 * kernel reset it, and the client loses the answer with the data it has not read yet.
 */
export function hasUnreadBody(raw: IncomingMessage): boolean {
  if (raw.complete) return false;
  const length = raw.headers['content-length'];
  return (length !== undefined && length !== '0') || raw.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads and discards what is left of a request's body, so the answer that follows is read by the
 * client instead of a connection reset (docs/security.md "HTTP limits"). Bounded: a body that claims more than
 * {@link DRAIN_MAX_BYTES} is not waited for, and no body is waited for longer than
 * {@link DRAIN_MAX_MS} (a client that stops sending is answered then).
 */
export function drainBody(raw: IncomingMessage): Promise<void> {
  const claimed = Number(raw.headers['content-length']);
  if (claimed > DRAIN_MAX_BYTES) return Promise.resolve();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData);
      raw.off('end', done);
      raw.off('error', done);
      raw.off('close', done);
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > DRAIN_MAX_BYTES) done();
    };
    const timer = setTimeout(done, DRAIN_MAX_MS);
    raw.on('data', onData);
    raw.once('end', done);
    raw.once('error', done);
    raw.once('close', done);
    raw.resume();
  });
}
