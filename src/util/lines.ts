/**
 * Line numbers of offsets, one implementation for every reader that reports a finding at a line: the
 * repository model (character offsets of a string), PostgreSQL's parser (UTF-8 byte offsets) and the
 * secret scanner (byte offsets of a file's Buffer). Lines are counted by `\n`, so a CRLF file numbers
 * its lines as editors do.
 */

/** The offset at which each line starts: characters of a string, bytes of a buffer. */
export function lineStarts(data: string | Uint8Array): number[] {
  const starts = [0];
  if (typeof data === 'string') {
    for (let nl = data.indexOf('\n'); nl !== -1; nl = data.indexOf('\n', nl + 1)) starts.push(nl + 1);
  } else {
    for (let nl = data.indexOf(10); nl !== -1; nl = data.indexOf(10, nl + 1)) starts.push(nl + 1);
  }
  return starts;
}

/** The 1-based line holding `offset`, given the line starts of its text (binary search). */
export function lineOfOffset(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
