/** For commands other than `serve`: what the store says while opening (migrations), on stderr. */
export const stderrLog = {
  info(_obj: object, msg: string): void {
    process.stderr.write(`roster: ${msg}\n`);
  },
};
