/** Log levels, in increasing verbosity; the classic SDKs default to `error`. */
export type LogLevel = 'none' | 'error' | 'info' | 'debug';

/** Where log lines go; `console` fits. Lines carry no attributes or identifiers (no PII by default). */
export interface LogSink {
  error(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

export interface Logger {
  error(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const RANK: Record<LogLevel, number> = { none: 0, error: 1, info: 2, debug: 3 };

export function createLogger(level: LogLevel, sink: LogSink | undefined): Logger {
  const out = sink ?? console;
  const at = (l: LogLevel) => RANK[level] >= RANK[l];
  return {
    error: (m) => at('error') && out.error(`[roster] ${m}`),
    info: (m) => at('info') && out.info(`[roster] ${m}`),
    debug: (m) => at('debug') && out.debug(`[roster] ${m}`),
  };
}
