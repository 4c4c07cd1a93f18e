import Papa from 'papaparse';

/** A CSV syntax error on `line`; the records before it were complete (and were read). */
export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

/** Records read from one chunk of the file, each with the line it starts on (1-based). */
export interface CsvRecordBatch {
  records: string[][];
  lines: number[];
}

const MAX_RECORD_CHARS = 1_000_000;

/**
 * The file's line break: the first one outside quotes; null while the text has none yet (or, before
 * the end of the file, ends in \r, which may be cut from a \r\n).
 */
function lineBreakOf(text: string, atEnd = false): '\n' | '\r\n' | '\r' | null {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (!quoted && c === 10) return '\n';
    else if (!quoted && c === 13) return i + 1 < text.length ? (text.charCodeAt(i + 1) === 10 ? '\r\n' : '\r') : atEnd ? '\r' : null;
  }
  return null;
}

function countNewlines(text: string, end: number): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1 && at < end; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

interface PapaResult {
  data: string[][];
  errors: Array<{ code: string; message: string; row: number }>;
  meta: { cursor: number };
}

/**
 * The records of a CSV text, read chunk by chunk and handed over a chunk's worth at a time: each
 * record an array of its values, a blank line `['']`, a leading byte order mark dropped, and records
 * of any length (the mapping checks columns). A record's line is where it starts, counting line
 * breaks inside quoted values too.
 *
 * Papa Parse's core parser, fed one chunk at a time with the incomplete last record carried over:
 * it reads the X Education export about four times as fast as csv-parse, and its stream API drops
 * syntax errors, so chunks are fed here. A quote left open or a malformed closing quote ends the
 * file with a CsvSyntaxError, after the records before it.
 */
export async function* csvRecords(chunks: AsyncIterable<string>, delimiter: string): AsyncGenerator<CsvRecordBatch> {
  let parser: Papa.Parser | null = null;
  let newline: '\n' | '\r\n' | '\r' = '\n';
  const start = (lineBreak: typeof newline) => {
    newline = lineBreak;
    return new Papa.Parser({ delimiter, newline, quoteChar: '"' });
  };
  let pending = '';
  let first = true;
  let line = 1;

  /** The records of text up to the parser's cursor (or up to a syntax error) with their lines. */
  const parse = (
    parser: Papa.Parser,
    text: string,
    final: boolean,
  ): { batch: CsvRecordBatch; cursor: number; error: CsvSyntaxError | null } => {
    const result = parser.parse(text, 0, !final) as PapaResult;
    const [error] = result.errors;
    const records = error ? result.data.slice(0, error.row) : result.data;
    const lines = new Array<number>(records.length);
    // Every record read so far ends in one line break, so when the text holds no more "\n" than
    // records, no value holds one and the lines simply follow each other. Otherwise (quoted line
    // breaks, "\r" line breaks, the last record of the file) each value is looked at.
    if (!error && !final && newline !== '\r' && countNewlines(text, result.meta.cursor) === records.length) {
      for (let i = 0; i < records.length; i++) lines[i] = line + i;
      line += records.length;
    } else {
      for (let i = 0; i < records.length; i++) {
        lines[i] = line;
        line += 1;
        for (const value of records[i]) if (value.includes('\n')) line += value.split('\n').length - 1;
      }
    }
    return { batch: { records, lines }, cursor: result.meta.cursor, error: error ? new CsvSyntaxError(error.message, line) : null };
  };

  for await (const chunk of chunks) {
    let text = pending + chunk;
    if (first) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    if (parser === null) {
      const lineBreak = lineBreakOf(text);
      if (lineBreak === null) {
        pending = text;
        continue;
      }
      parser = start(lineBreak);
    }
    // A chunk cut inside \r\n would make a closing quote before it look malformed: keep the \r back.
    const { batch, cursor, error } = parse(parser, text.endsWith('\r') ? text.slice(0, -1) : text, false);
    if (batch.records.length) yield batch;
    if (error) throw error;
    pending = text.slice(cursor);
    // An incomplete record is carried into the next chunk; one this long is a quote left open
    // (values are far shorter), and carrying it on would re-read the rest of the file per chunk.
    if (pending.length > MAX_RECORD_CHARS)
      throw new CsvSyntaxError(`a record is longer than ${MAX_RECORD_CHARS / 1_000_000} million characters: is a quote left open?`, line);
  }
  if (pending !== '') {
    const { batch, error } = parse(parser ?? start(lineBreakOf(pending, true) ?? '\n'), pending, true);
    // What is left is the last record, without its line break unless that was a "\r" held back:
    // then the parser saw one more, empty, record after it.
    const last = batch.records.at(-1);
    if (!error && pending.endsWith(newline) && last?.length === 1 && last[0] === '') {
      batch.records.pop();
      batch.lines.pop();
    }
    if (batch.records.length) yield batch;
    if (error) throw error;
  }
}
