import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, csvRecords } from './csv-records';

async function* chunked(text: string, sizes: number[]): AsyncGenerator<string> {
  let at = 0;
  for (const size of sizes) {
    if (at >= text.length) break;
    yield text.slice(at, at + size);
    at += size;
  }
  if (at < text.length) yield text.slice(at);
}

/** Every record with its line, as read from the text cut into chunks of these sizes. */
async function readLines(
  text: string,
  sizes: number[] = [text.length],
  delimiter = ',',
): Promise<Array<{ record: string[]; line: number }>> {
  const out: Array<{ record: string[]; line: number }> = [];
  for await (const batch of csvRecords(chunked(text, sizes), delimiter)) {
    expect(batch.lines).toHaveLength(batch.records.length);
    batch.records.forEach((record, i) => {
      out.push({ record, line: batch.lines[i] });
    });
  }
  return out;
}

async function read(text: string, sizes: number[] = [text.length], delimiter = ','): Promise<string[][]> {
  return (await readLines(text, sizes, delimiter)).map(({ record }) => record);
}

function serialise(records: string[][], lineBreak: string, delimiter = ','): string {
  const quote = (value: string) => (/["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value);
  return records.map((record) => record.map(quote).join(delimiter)).join(lineBreak) + lineBreak;
}

describe('csvRecords', () => {
  it('reads quoted values with delimiters, quotes and line breaks, a BOM, CRLF and blank lines', async () => {
    const text = '\uFEFFid,name,note\r\n1,"Smith, Ana","said ""hi""\r\nthen left"\r\n\r\n2,Bo,\r\n';
    expect(await readLines(text)).toEqual([
      { record: ['id', 'name', 'note'], line: 1 },
      { record: ['1', 'Smith, Ana', 'said "hi"\r\nthen left'], line: 2 },
      { record: [''], line: 4 },
      { record: ['2', 'Bo', ''], line: 5 },
    ]);
  });

  it('reads the last record without a final line break, and records of any length', async () => {
    expect(await read('a,b\n1\n2,3,4')).toEqual([['a', 'b'], ['1'], ['2', '3', '4']]);
  });

  it('uses the given delimiter', async () => {
    expect(await read('a;b\n"x;y";z\n', undefined, ';')).toEqual([
      ['a', 'b'],
      ['x;y', 'z'],
    ]);
  });

  it('reads the same records, each on the line it starts on, however the text is cut into chunks', async () => {
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('"', ',', '\n', '\r\n', '""', ' "a" ', 'é', '😀'));
    // A record of one empty value is written as a blank line, which reads back as [''].
    const records = fc.array(fc.array(value, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(
        records,
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 40 }),
        async (rs, lineBreak, sizes) => {
          const text = serialise(rs, lineBreak);
          let line = 1;
          const expected = rs.map((record) => {
            const at = line;
            line += 1 + record.join('').split('\n').length - 1;
            return { record, line: at };
          });
          expect(await readLines(text, sizes)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('counts lines in a file that breaks lines with \\r alone', async () => {
    expect(await readLines('a,b\r1,"x\ny"\r2,3\r', [4, 4, 4])).toEqual([
      { record: ['a', 'b'], line: 1 },
      { record: ['1', 'x\ny'], line: 2 },
      { record: ['2', '3'], line: 4 },
    ]);
  });

  it('a quote left open is a syntax error on its line, after the complete records before it', async () => {
    const seen: string[][] = [];
    const reading = (async () => {
      for await (const batch of csvRecords(chunked('a,b\n1,2\n3,"open\n4,5\n', [5, 5, 5]), ',')) seen.push(...batch.records);
    })();
    await expect(reading).rejects.toThrow(CsvSyntaxError);
    await expect(reading).rejects.toMatchObject({ message: 'Quoted field unterminated', line: 3 });
    expect(seen).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });

  it('a malformed closing quote is a syntax error', async () => {
    await expect(read('a,b\n"x"y,1\n')).rejects.toMatchObject({ message: 'Trailing quote on quoted field is malformed', line: 2 });
  });
});
