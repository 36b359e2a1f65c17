/**
 * RUN, CMD and ENTRYPOINT of every Dockerfile (also ONBUILD ones): shell form with `\` continuations,
 * exec form (JSON), and `RUN <<EOF` heredoc scripts. Docker drops full-line comments, also in the
 * middle of a continued instruction; they are blanked in place so offsets and lines stay exact.
 */
import { lineIndex, type Repository } from '../../probes/repository.js';
import { argvToCommand, fileEntry, type Collected, type Entry } from './entries.js';

export async function dockerfileEntries(repo: Repository): Promise<Collected> {
  const dockerfiles = await repo.dockerfiles();
  const entries: Entry[] = [];
  for (const { file, text: original } of dockerfiles) {
    const text = original.replace(/^[ \t]*#.*$/gm, (comment) => ' '.repeat(comment.length));
    const lineOf = lineIndex(text);
    const lines = text.split('\n');
    const lineStart: number[] = [0];
    for (const line of lines) lineStart.push(lineStart[lineStart.length - 1]! + line.length + 1);

    for (let k = 0; k < lines.length; k++) {
      const first = /^\s*(?:ONBUILD\s+)?(\w+)\s*/i.exec(lines[k]!);
      if (!first || lines[k]!.trim() === '') continue;
      // The instruction runs on while lines end in `\`; blank (or blanked comment) lines do not end it.
      let last = k;
      while (last + 1 < lines.length && (/\\\s*$/.test(lines[last]!) || (lines[last]!.trim() === '' && last > k))) last++;
      while (last > k && lines[last]!.trim() === '') last--;
      const bodyStart = lineStart[k]! + first[0].length;
      const bodyEnd = lineStart[last]! + lines[last]!.length;
      const instruction = first[1]!.toUpperCase();
      const body = text.slice(bodyStart, bodyEnd);

      // A heredoc (`RUN <<EOF`, `COPY <<EOF /file`) holds lines that are not instructions.
      const heredoc = /<<-?\s*(["']?)([A-Za-z_][\w-]*)\1/.exec(body);
      let bodyEndLine = last;
      if (heredoc) {
        let close = last + 1;
        while (close < lines.length && lines[close]!.trim() !== heredoc[2]) close++;
        // `RUN <<EOF` (or `RUN bash <<EOF`) runs the heredoc as the script; `RUN cat <<EOF > f` only writes it.
        const command = body.replace(heredoc[0], '').replace(/--\w[\w-]*=\S+/g, '').trim();
        if (instruction === 'RUN' && (command === '' || /^(?:\/bin\/|\/usr\/bin\/)?(?:ba|da|z)?sh\b/.test(command))) {
          const scriptStart = lineStart[last + 1] ?? text.length;
          const scriptEnd = lineStart[close] ?? text.length;
          entries.push(fileEntry(file, text.slice(scriptStart, scriptEnd), (o) => lineOf(scriptStart + o)));
        }
        bodyEndLine = close;
      }
      if (['RUN', 'CMD', 'ENTRYPOINT'].includes(instruction)) {
        const argv = execForm(body);
        // RUN flags (--mount=…, --network=…) are not part of the command; blank them in place.
        const shell = body.replace(/^(\s*--\w[\w-]*=\S+)+/, (flags) => ' '.repeat(flags.length));
        entries.push(
          argv
            ? fileEntry(file, argvToCommand(argv), () => k + 1)
            : fileEntry(file, shell, (o) => lineOf(bodyStart + o)),
        );
      }
      k = bodyEndLine;
    }
  }
  return { files: dockerfiles.map((d) => d.file), entries };
}

/** `["a", "b"]` exec form, or undefined for shell form. */
function execForm(body: string): string[] | undefined {
  const joined = body.replace(/\\\r?\n/g, ' ').trim();
  if (!joined.startsWith('[')) return undefined;
  try {
    const argv: unknown = JSON.parse(joined);
    return Array.isArray(argv) && argv.every((a) => typeof a === 'string') ? argv : undefined;
  } catch {
    return undefined;
  }
}
