/** Procfile process types (`web:`, `release:`, …): each runs its command in production. */
import type { Repository } from '../../probes/repository.js';
import { fileEntry, type Collected, type Entry } from './entries.js';

export async function procfileEntries(repo: Repository): Promise<Collected> {
  const text = await repo.read('Procfile');
  if (text === undefined) return { files: [], entries: [] };
  const entries: Entry[] = [];
  text.split('\n').forEach((line, k) => {
    const match = /^\s*[\w-]+\s*:/.exec(line);
    if (match && !line.trimStart().startsWith('#')) entries.push(fileEntry('Procfile', line.slice(match[0].length), () => k + 1));
  });
  return { files: ['Procfile'], entries };
}
