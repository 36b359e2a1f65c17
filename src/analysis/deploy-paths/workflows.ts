/**
 * `run:` steps of workflows and of the repository's own composite actions. A step's DATABASE_URL
 * (step, job or workflow `env`) and the job's service containers tell a CI test database apart.
 *
 * Only the working directory's own workflows are followed: a repository-level workflow of a monorepo
 * runs `npm run …` in a package.json of its choosing, not necessarily this app's, so tracing its
 * scripts through this app's package.json would report paths that do not exist.
 */
import { isMap, isScalar, isSeq } from 'yaml';
import type { Repository } from '../../probes/repository.js';
import { scalarEntry, type Collected, type Entry } from './entries.js';

/** A YAML mapping of variables (`env:`) as plain values; an expression or anything else → {}. */
function envOf(node: unknown): Record<string, string> {
  return isMap(node) ? Object.fromEntries(node.items.map((p) => [String(isScalar(p.key) ? p.key.value : p.key), String(isScalar(p.value) ? p.value.value : '')])) : {};
}

export async function workflowEntries(repo: Repository, notes: string[]): Promise<Collected> {
  const workflows = (await repo.workflows()).filter((w) => !w.file.startsWith('../'));
  const entries: Entry[] = [];
  for (const { file, text, doc, error } of workflows) {
    if (!doc) {
      notes.push(`${file}:${error!.line} is not valid YAML; not scanned.`);
      continue;
    }
    const jobs: Array<{ steps: unknown; env: Record<string, string>; ciHosts: string[] }> = [];
    const workflowEnv = envOf(doc.get('env', true));
    const jobMap = doc.get('jobs', true);
    if (isMap(jobMap)) {
      for (const job of jobMap.items) {
        if (!isMap(job.value)) continue;
        const services = job.value.get('services', true);
        jobs.push({
          steps: job.value.get('steps', true),
          env: { ...workflowEnv, ...envOf(job.value.get('env', true)) },
          ciHosts: isMap(services) ? services.items.map((s) => String(isScalar(s.key) ? s.key.value : s.key)) : [],
        });
      }
    }
    jobs.push({ steps: doc.getIn(['runs', 'steps'], true), env: workflowEnv, ciHosts: [] });
    for (const job of jobs) {
      if (!isSeq(job.steps)) continue;
      for (const step of job.steps.items) {
        if (!isMap(step)) continue;
        const run = step.get('run', true);
        const env = { ...job.env, ...envOf(step.get('env', true)) };
        const entry = isScalar(run) ? scalarEntry(file, text, run, { databaseUrl: env.DATABASE_URL, ciHosts: job.ciHosts }) : undefined;
        if (entry) entries.push(entry);
      }
    }
  }
  return { files: workflows.map((w) => w.file), entries };
}
