/**
 * A small streaming RFC 4180 reader working on bytes, so every record knows the byte offset just
 * past it (an import resumes there). Quoted fields may hold commas, CR/LF and `""` (an escaped quote);
 * records end with CRLF, LF or a lone CR. Separators are ASCII, so scanning UTF-8 bytes is safe.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export interface CsvRecord {
  fields: string[];
  /** 1-based physical line where the record starts. */
  line: number;
  /** Byte offset (in the file) just past the record and its line break. */
  end: number;
  /** Set when the record is malformed; `fields` then holds what could be read. */
  error?: string;
}

export class CsvParser {
  private pending: Buffer = Buffer.alloc(0);
  /** File offset of `pending[0]`. */
  private base: number;
  private line: number;
  private first = true;

  constructor(startOffset = 0, startLine = 1) {
    this.base = startOffset;
    this.line = startLine;
  }

  /** Complete records in `chunk` (and what was left over from earlier chunks). */
  push(chunk: Buffer): CsvRecord[] {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    if (
      this.first &&
      this.base === 0 &&
      buf.length >= 3 &&
      buf[0] === 0xef &&
      buf[1] === 0xbb &&
      buf[2] === 0xbf
    ) {
      buf = buf.subarray(3);
      this.base = 3;
    }
    if (buf.length > 0) this.first = false;
    return this.scan(buf, false);
  }

  /** Whatever remains at end of input (a last record without a line break, or an unterminated quote). */
  end(): CsvRecord[] {
    const out = this.scan(this.pending, true);
    this.pending = Buffer.alloc(0);
    return out;
  }

  private scan(buf: Buffer, final: boolean): CsvRecord[] {
    const out: CsvRecord[] = [];
    const len = buf.length;
    let start = 0;
    for (;;) {
      if (start >= len) break;
      const r = readRecord(buf, start, final);
      if (!r) break;
      const record: CsvRecord = { fields: r.fields, line: this.line, end: this.base + r.next };
      if (r.error) record.error = r.error;
      this.line += r.lines;
      start = r.next;
      // A blank line is no record.
      if (r.fields.length === 1 && r.fields[0] === '' && !r.quoted && !r.error) continue;
      out.push(record);
    }
    this.pending = buf.subarray(start);
    this.base += start;
    if (!final && this.pending.length > 0) this.pending = Buffer.from(this.pending);
    return out;
  }
}

interface RawRecord {
  fields: string[];
  next: number;
  lines: number;
  quoted: boolean;
  error?: string;
}

/** One record from `start`, or null when the buffer ends inside it (and more input may come). */
function readRecord(buf: Buffer, start: number, final: boolean): RawRecord | null {
  const len = buf.length;
  const fields: string[] = [];
  let i = start;
  let lines = 0;
  let error: string | undefined;
  let anyQuoted = false;
  for (;;) {
    // One field from i.
    if (i < len && buf[i] === QUOTE) {
      anyQuoted = true;
      let j = i + 1;
      let escaped = false;
      let closed = -1;
      while (j < len) {
        const c = buf[j];
        if (c === QUOTE) {
          if (j + 1 < len && buf[j + 1] === QUOTE) {
            escaped = true;
            j += 2;
            continue;
          }
          if (j + 1 >= len && !final) return null;
          closed = j;
          break;
        }
        if (c === LF) lines++;
        j++;
      }
      if (closed < 0) {
        if (!final) return null;
        const text = buf.toString('utf8', i + 1, len);
        fields.push(escaped ? text.replaceAll('""', '"') : text);
        return { fields, next: len, lines: lines + 1, quoted: true, error: 'unterminated quoted field' };
      }
      const text = buf.toString('utf8', i + 1, closed);
      fields.push(escaped ? text.replaceAll('""', '"') : text);
      i = closed + 1;
      // After a closing quote: a separator, a line break or the end.
      if (i < len && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) {
        error ??= `unexpected character after a closing quote (field ${fields.length})`;
        while (i < len && buf[i] !== COMMA && buf[i] !== LF && buf[i] !== CR) i++;
      }
    } else {
      let j = i;
      while (j < len) {
        const c = buf[j];
        if (c === COMMA || c === LF || c === CR) break;
        if (c === QUOTE) error ??= `a quote inside an unquoted field (field ${fields.length + 1})`;
        j++;
      }
      fields.push(buf.toString('utf8', i, j));
      i = j;
    }
    if (i >= len) {
      if (!final) return null;
      return { fields, next: len, lines: lines + 1, quoted: anyQuoted, ...(error ? { error } : {}) };
    }
    const c = buf[i];
    if (c === COMMA) {
      i++;
      if (i >= len && !final) return null;
      continue;
    }
    if (c === LF)
      return { fields, next: i + 1, lines: lines + 1, quoted: anyQuoted, ...(error ? { error } : {}) };
    // CR: CRLF, or a lone CR.
    if (i + 1 >= len && !final) return null;
    const next = buf[i + 1] === LF ? i + 2 : i + 1;
    return { fields, next, lines: lines + 1, quoted: anyQuoted, ...(error ? { error } : {}) };
  }
}

/** One CSV field, quoted when it needs to be. */
/** A cell a spreadsheet would run as a formula: starting with = + - @, a tab or a CR (OWASP). */
const FORMULA = /^'*[=+\-@\t\r]/;
/** Plain numbers (`-5`, `+1.5e3`) are data in every spreadsheet: they keep their sign unguarded. */
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A value made safe to open in a spreadsheet: one `'` in front of anything that would be read as a
 * formula (`=HYPERLINK(…)`, `@SUM(…)`, `+cmd|…`), and in front of a value that already starts with
 * `'`s before such a character, so `unguardFormula` restores every value exactly
 * (docs/security.md). Spreadsheets show the value without the `'`.
 */
export function guardFormula(value: string): string {
  return FORMULA.test(value) && !NUMBER.test(value) ? `'${value}` : value;
}

/** The inverse of `guardFormula` (`roster import` reads Roster's own CSV exports back unchanged). */
export function unguardFormula(value: string): string {
  return value.startsWith("'") && FORMULA.test(value.slice(1)) && !NUMBER.test(value.slice(1))
    ? value.slice(1)
    : value;
}

export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value !== value.trim() ? `"${value.replaceAll('"', '""')}"` : value;
}

export function csvLine(values: readonly string[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

export interface TextLine {
  text: string;
  line: number;
  end: number;
}

/** Splits bytes into LF-terminated lines (CRLF tolerated), with the byte offset past each. */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);
  constructor(
    private base = 0,
    private line = 1,
  ) {}

  push(chunk: Buffer): TextLine[] {
    const buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: TextLine[] = [];
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(LF, start);
      if (nl < 0) break;
      const stop = nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
      out.push({ text: buf.toString('utf8', start, stop), line: this.line++, end: this.base + nl + 1 });
      start = nl + 1;
    }
    this.pending = Buffer.from(buf.subarray(start));
    this.base += start;
    return out;
  }

  end(): TextLine[] {
    if (this.pending.length === 0) return [];
    const text = this.pending.toString('utf8').replace(/\r$/, '');
    const out = [{ text, line: this.line++, end: this.base + this.pending.length }];
    this.base += this.pending.length;
    this.pending = Buffer.alloc(0);
    return out;
  }
}
