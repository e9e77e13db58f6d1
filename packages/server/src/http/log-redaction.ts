/**
 * Request URLs as the log shows them: anything shaped like an email address, plain or
 * percent-encoded (`/v1/customers?email=bob@b.com`, `/api/v1/customers/a%40b.c`), becomes
 * `[email]`. Info-level logs go to log shippers and people who should not get a list of customers'
 * addresses (security review 2026-12, info). Ids are left as they are: they are opaque.
 */
const EMAIL = /[^/?&=#\s]+(?:@|%40)[^/?&=#\s]+/gi;

export function redactUrl(url: string): string {
  return url.replace(EMAIL, '[email]');
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remoteAddress?: string } | null;
}

/** pino's `req` serializer for `roster serve`: Fastify's usual fields, with the URL redacted. */
export function requestLogView(req: LoggedRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? redactUrl(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip ?? req.socket?.remoteAddress,
  };
}
