// Preloaded into the benchmark's `roster serve` (never in production): on SIGUSR2, collect garbage
// and print the JS heap in use, so the benchmark can report memory after GC rather than a heap
// that merely has not been collected yet.
process.on('SIGUSR2', () => {
  globalThis.gc();
  globalThis.gc();
  process.stderr.write(`roster-bench heap-after-gc ${process.memoryUsage().heapUsed}\n`);
});
