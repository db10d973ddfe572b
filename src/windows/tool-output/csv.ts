/**
 * RFC 4180 CSV lines as Windows console tools write them (`tasklist /fo csv`): every field
 * quoted, `""` for a quote inside a field, CRLF line ends. Bounded: at most `maxFields` fields.
 */
export function parseCsvLine(line: string, maxFields = 64): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length && fields.length < maxFields) {
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += line[i++];
      }
      fields.push(value);
      while (i < line.length && line[i] !== ",") i++;
      i++;
    } else {
      const end = line.indexOf(",", i);
      const stop = end < 0 ? line.length : end;
      fields.push(line.slice(i, stop));
      i = stop + 1;
    }
  }
  return fields;
}
