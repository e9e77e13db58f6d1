/** What an import reports as it goes. */
export interface ProgressState {
  /** Bytes of the file consumed so far (including what an earlier, interrupted run did). */
  bytesDone: number;
  bytesTotal: number;
  rowsOk: number;
  rowsFailed: number;
  /** Rows handled by this run (the rate counts only these). */
  rowsThisRun: number;
  /** Bytes handled by this run. */
  bytesThisRun: number;
  elapsedMs: number;
}

export interface ProgressReporter {
  update(state: ProgressState): void;
  done(state: ProgressState): void;
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** Rows per second of this run, and the seconds left at that pace (by bytes: the row count is unknown). */
export function rateAndEta(s: ProgressState): { rate: number; eta: number; fraction: number } {
  const secs = s.elapsedMs / 1000;
  const rate = secs > 0 ? s.rowsThisRun / secs : 0;
  const byteRate = secs > 0 ? s.bytesThisRun / secs : 0;
  const fraction = s.bytesTotal > 0 ? Math.min(1, s.bytesDone / s.bytesTotal) : 1;
  const eta = byteRate > 0 ? (s.bytesTotal - s.bytesDone) / byteRate : Number.NaN;
  return { rate, eta, fraction };
}

export function progressLine(s: ProgressState): string {
  const { rate, eta, fraction } = rateAndEta(s);
  return (
    `import: ${(fraction * 100).toFixed(1)}% ${fmtInt(s.rowsOk)} imported, ${fmtInt(s.rowsFailed)} failed, ` +
    `${fmtInt(rate)} rows/s, ETA ${fmtDuration(eta)}`
  );
}

/**
 * A redrawn bar on a terminal (at most ~10 times a second), or a plain line every `intervalMs`
 * otherwise (logs, CI, pipes).
 */
export function createProgress(
  stream: NodeJS.WriteStream | NodeJS.WritableStream,
  options: { tty?: boolean; intervalMs?: number } = {},
): ProgressReporter {
  const tty = options.tty ?? Boolean((stream as NodeJS.WriteStream).isTTY);
  const interval = options.intervalMs ?? (tty ? 100 : 5000);
  let last = 0;
  const bar = (s: ProgressState): string => {
    const { rate, eta, fraction } = rateAndEta(s);
    const width = 30;
    const full = Math.round(fraction * width);
    return (
      `\r[${'#'.repeat(full)}${'-'.repeat(width - full)}] ${(fraction * 100).toFixed(1).padStart(5)}% ` +
      `${fmtInt(s.rowsOk)} ok ${fmtInt(s.rowsFailed)} failed  ${fmtInt(rate)} rows/s  ETA ${fmtDuration(eta)}\x1b[K`
    );
  };
  return {
    update(s) {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      stream.write(tty ? bar(s) : `${progressLine(s)}\n`);
    },
    done(s) {
      if (tty) stream.write(`${bar(s)}\n`);
    },
  };
}
