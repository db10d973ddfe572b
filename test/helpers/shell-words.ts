/**
 * Splits a command line into words as a POSIX shell would, for the forms koff-doctor prints:
 * blanks separate words, `'…'` is literal, `"…"` is literal but for `\"`, `\\`, `\$`, `` \` ``,
 * and an unquoted `\` quotes the next character. Expansions (`$x`, globs) are refused, since a
 * printed command must not depend on them.
 *
 * Source: https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html (2.2 Quoting).
 */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === " " || ch === "\t") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated ' in: ${line}`);
      word = (word ?? "") + line.slice(i + 1, end);
      i = end;
    } else if (ch === '"') {
      word ??= "";
      for (i++; i < line.length && line[i] !== '"'; i++) {
        if (line[i] === "\\" && '"\\$`'.includes(line[i + 1] ?? "")) i++;
        else if (line[i] === "$" || line[i] === "`") throw new Error(`expansion in: ${line}`);
        word += line[i];
      }
      if (i >= line.length) throw new Error(`unterminated " in: ${line}`);
    } else if (ch === "\\") {
      word = (word ?? "") + (line[++i] ?? "");
    } else if ("$`*?[]|&;<>(){}".includes(ch) || (ch === "#" && word === undefined)) {
      throw new Error(`unquoted ${ch} in: ${line}`);
    } else {
      word = (word ?? "") + ch;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
