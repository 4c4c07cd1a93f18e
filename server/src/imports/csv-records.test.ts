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

async function read(text: string, sizes: number[] = [text.length], delimiter = ','): Promise<string[][]> {
  const out: string[][] = [];
  for await (const record of csvRecords(chunked(text, sizes), delimiter)) out.push(record);
  return out;
}

function serialise(records: string[][], lineBreak: string, delimiter = ','): string {
  const quote = (value: string) => (/["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replace(/"/g, '""')}"` : value);
  return records.map((record) => record.map(quote).join(delimiter)).join(lineBreak) + lineBreak;
}

describe('csvRecords', () => {
  it('reads quoted values with delimiters, quotes and line breaks, a BOM, CRLF and blank lines', async () => {
    const text = '\uFEFFid,name,note\r\n1,"Smith, Ana","said ""hi""\r\nthen left"\r\n\r\n2,Bo,\r\n';
    expect(await read(text)).toEqual([['id', 'name', 'note'], ['1', 'Smith, Ana', 'said "hi"\r\nthen left'], [''], ['2', 'Bo', '']]);
  });

  it('reads the last record without a final line break, and records of any length', async () => {
    expect(await read('a,b\n1\n2,3,4')).toEqual([['a', 'b'], ['1'], ['2', '3', '4']]);
  });

  it('uses the given delimiter', async () => {
    expect(await read('a;b\n"x;y";z\n', undefined, ';')).toEqual([['a', 'b'], ['x;y', 'z']]);
  });

  it('reads the same records however the text is cut into chunks', async () => {
    const value = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('"', ',', '\n', '\r\n', '""', ' "a" ', 'é', '😀'));
    // A record of one empty value is written as a blank line, which reads back as [''].
    const records = fc.array(fc.array(value, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(records, fc.constantFrom('\n', '\r\n'), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 40 }), async (rs, lineBreak, sizes) => {
        const text = serialise(rs, lineBreak);
        expect(await read(text, sizes)).toEqual(rs);
      }),
      { numRuns: 300 },
    );
  });

  it('a quote left open is a syntax error after the complete records before it', async () => {
    const seen: string[][] = [];
    const reading = (async () => {
      for await (const record of csvRecords(chunked('a,b\n1,2\n3,"open\n4,5\n', [5, 5, 5]), ',')) seen.push(record);
    })();
    await expect(reading).rejects.toThrow(CsvSyntaxError);
    await expect(reading).rejects.toThrow('Quoted field unterminated');
    expect(seen).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('a malformed closing quote is a syntax error', async () => {
    await expect(read('a,b\n"x"y,1\n')).rejects.toThrow('Trailing quote on quoted field is malformed');
  });
});
