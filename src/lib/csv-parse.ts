/**
 * RFC 4180 CSV parsing: quoted fields, doubled quotes, CRLF or LF, newlines inside quotes. Each
 * record carries the 1-based line number it starts on, so errors can point at the file.
 * A UTF-8 byte-order mark is ignored.
 */
export interface CsvRecord {
  line: number;
  fields: string[];
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let i = 0;
  let inQuotes = false;
  let quotedField = false;
  const endField = () => {
    fields.push(field);
    field = '';
    quotedField = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is not a record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: recordLine, fields });
    fields = [];
  };
  while (i < src.length) {
    const c = src[i];
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      // A line break inside quotes is still a line of the file: LF, CRLF (counted at its LF) or a lone CR.
      if (c === '\n' || (c === '\r' && src[i + 1] !== '\n')) line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (field.length > 0 || quotedField) throw new CsvSyntaxError(line, 'a quote inside an unquoted field');
      inQuotes = true;
      quotedField = true;
      i++;
      continue;
    }
    if (quotedField && c !== ',' && c !== '\n' && c !== '\r') {
      throw new CsvSyntaxError(line, 'text after a closing quote');
    }
    if (c === ',') {
      endField();
      i++;
      continue;
    }
    if (c === '\r' && src[i + 1] === '\n') i++;
    if (c === '\n' || c === '\r') {
      endRecord();
      line++;
      recordLine = line;
      i++;
      continue;
    }
    field += c;
    i++;
  }
  if (inQuotes) throw new CsvSyntaxError(recordLine, 'a quoted field is never closed');
  if (field.length > 0 || fields.length > 0 || quotedField) endRecord();
  return records;
}
