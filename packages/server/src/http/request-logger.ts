import type { FastifyBaseLogger } from 'fastify';

type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
type Bindings = Record<string, unknown>;

/**
 * A request's logger (`request.log`), made only when something logs at a level the server logs.
 * Fastify gives every request a pino child carrying its request id, and pino builds a child's
 * bindings text as it makes it: about 2% of an identify's server CPU on PostgreSQL, on every
 * request, although at the default level (`warn`) an answered request logs nothing.
 */
class LazyRequestLogger implements FastifyBaseLogger {
  private made: FastifyBaseLogger | undefined;

  constructor(
    private readonly parent: FastifyBaseLogger & { isLevelEnabled?(level: string): boolean },
    private readonly bindings: Bindings,
  ) {}

  private real(): FastifyBaseLogger {
    return (this.made ??= this.parent.child(this.bindings));
  }

  private at(level: Level, args: unknown[]): void {
    if (this.made === undefined && this.parent.isLevelEnabled?.(level) === false) return;
    (this.real()[level] as (...a: unknown[]) => void)(...args);
  }

  get level(): string {
    return this.made?.level ?? this.parent.level;
  }

  set level(level: string) {
    this.real().level = level;
  }

  fatal(...args: unknown[]): void {
    this.at('fatal', args);
  }
  error(...args: unknown[]): void {
    this.at('error', args);
  }
  warn(...args: unknown[]): void {
    this.at('warn', args);
  }
  info(...args: unknown[]): void {
    this.at('info', args);
  }
  debug(...args: unknown[]): void {
    this.at('debug', args);
  }
  trace(...args: unknown[]): void {
    this.at('trace', args);
  }
  silent(): void {}

  child(bindings: Bindings, options?: object): FastifyBaseLogger {
    return this.real().child(bindings, options);
  }
}

/**
 * Fastify's `childLoggerFactory` for a server with a pino logger: routes with their own level or
 * serializers (`/healthz`) get pino's child at once, every other request a lazy one.
 */
export function lazyRequestLogger(
  logger: FastifyBaseLogger,
  bindings: Bindings,
  options: { level?: string; serializers?: unknown },
): FastifyBaseLogger {
  if (options.level !== undefined || options.serializers !== undefined)
    return logger.child(bindings, options as never);
  return new LazyRequestLogger(logger, bindings);
}
