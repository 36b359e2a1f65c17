/**
 * security.committed-secrets: no secret the run knows, no live credential and no env file with a
 * secret in the files git tracks, and (with `scan-history: true`) in any blob reachable in history.
 *
 * - The values of the configured secrets are searched exactly, in every form `secretForms` lists
 *   (raw, URL-encoded, base64 at any alignment, hex, JSON/JS-escaped) and split across lines (string
 *   concatenation, shell continuations, base64 wrapped at 76 columns): no regex guesses, so no false
 *   positive for the secrets that matter most.
 * - Credential shapes of the stack and its neighbours (src/analysis/secrets/credential-shapes.ts), confirmed by each
 *   format's checksum or structure, found also behind escapes and encodings; placeholders, examples
 *   and test keys are not findings. A repository's `.gitleaks.toml` rules and allowlists apply too.
 * - Env files (by name, or by their `KEY=VALUE` content): an entry with a secret-looking name and a
 *   real value, or a URL with a credential, is a finding; a template's local defaults are information.
 *
 * Tracked files are read from the work tree (`git ls-files`: a `.gitignore`d but tracked file is
 * scanned, an untracked one is not) by worker threads, one per core; history blobs stream from
 * `git cat-file --batch`. Files of any size are scanned (large ones in chunks); binary files (a NUL
 * byte in the first 8 KiB, unless the file is UTF-16 text) are skipped and counted.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Finding, Outcome } from '../../engine/types.js';
import { defineRule } from '../index.js';
import { secretMatch } from '../../engine/identity.js';
import { GitError, type GitClient } from '../../probes/git.js';
import { CREDENTIAL_PATTERNS } from '../../analysis/secrets/credential-shapes.js';
import { compileGitleaks, loadGitleaks, type GitleaksSetup } from '../../analysis/secrets/gitleaks-config.js';
import { secretNeedles } from '../../analysis/secrets/patterns.js';
import { CHUNK_BYTES, type Hit, type ScanContext, scanBinary, scanText, StreamScan, textOf, isLocalComposeFile } from '../../analysis/secrets/scanner.js';
import { FileScanner, type FileResult, scanContext, scanInParallel, type ScanSetup } from '../../analysis/secrets/worker.js';

/** Bytes scanned in the calling thread between two turns of the event loop. */
const YIELD_BYTES = 4 * 1024 * 1024;
/** Findings reported as annotations at most; the rest are counted in the summary. */
const MAX_FINDINGS = 100;
/**
 * In a run compared with its base every finding takes part in the comparison (the reporters cut what
 * they show); this bounds the memory of a repository full of them.
 */
const MAX_COMPARED_FINDINGS = 50_000;
/** History blobs with hits kept for placing them in history at most (memory bound). */
const MAX_HISTORY_BLOBS = 2000;
/** Names of skipped files the details show. */
const SHOWN_SKIPPED = 5;
/** Local defaults and template samples listed in the details at most. */
const SHOWN_INFO = 20;


const FIX = [
  'Rotate every credential found: once pushed it is compromised (clones, forks, CI caches and everyone with read access have it).',
  "Then remove it from the file and read it from the environment (GitHub Actions secrets, the hosting platform's environment settings); untrack env files with `git rm --cached .env.production` and add them to `.gitignore`.",
  'For a secret in history, rewrite it out with `git filter-repo --replace-text <file>` (or BFG Repo-Cleaner) and force-push, and rotate it anyway: existing clones and forks keep the old commits.',
  'A finding that is not a secret (a fixture, a revoked example) can be allowlisted in `.gitleaks.toml` or with a `gitleaks:allow` comment on its line; the values of the secrets the run knows cannot.',
].join(' ');

const PROTECTED_FIX =
  'A passphrase-protected private key or a password hash (htpasswd) is not usable as it is, but anyone with read access can guess its passphrase or password offline, without limit: remove it from the repository (and from history), and replace the key or password if the passphrase was short or shared.';

interface Located {
  /** Relative to the working directory; undefined for a history path outside it. */
  file?: string;
  /** Relative to the repository root (for matching tree and history findings). */
  rootPath: string;
  hit: Hit;
  /** Found by the history pass: where it was introduced, and whether the blob is in the current tree outside the working directory. */
  history?: { commit?: string; time?: number; versions: number; outsideWorkingDirectory: boolean };
}

interface Skipped {
  count: number;
  names: string[];
}

const skip = (s: Skipped, name: string) => {
  s.count++;
  if (s.names.length < SHOWN_SKIPPED) s.names.push(name);
};

/** Reported: everything but information. Protected credentials (encrypted keys, password hashes) are warnings, the rest errors. */
const isReported = (hit: Hit) => hit.kind !== 'info';
const isError = (hit: Hit) => hit.kind !== 'info' && hit.kind !== 'protected';

export const committedSecrets = defineRule({
  id: 'security.committed-secrets',
  async check({ settings, clients, signal, log, baseline }): Promise<Outcome> {
    const cwd = settings.workingDirectory;
    const git = clients.git();
    let repo;
    try {
      repo = await git.repository(signal);
    } catch (error) {
      if (!(error instanceof GitError)) throw error;
      return { status: 'fail', summary: `cannot read the repository with git: ${error.message}`, fix: 'Run the gate where `git` works on the checked-out repository (actions/checkout).' };
    }
    if (!repo) {
      return { status: 'skip', summary: 'the working directory is not a git work tree, so there are no tracked files to scan' };
    }

    const needles = secretNeedles(settings);
    const paths: string[] = [];
    const composeFiles: string[] = [];
    const treeBlobs = new Set<string>();
    // On the base of a comparison, only the files the change touched need a scan (src/baseline.ts).
    const only = baseline?.pass === 'base' && baseline.changedOnly ? new Set(baseline.changedOnly) : undefined;
    for await (const batch of git.trackedFiles(signal)) {
      for (const entry of batch) {
        // Symlinks hold a path, submodules another repository: neither is content of this one.
        if (entry.mode === '120000' || entry.mode === '160000') continue;
        if (isLocalComposeFile(entry.path)) composeFiles.push(entry.path);
        if (only && !only.has(entry.path)) continue;
        if (settings.scanHistory || baseline?.historyRevs) treeBlobs.add(entry.blob);
        paths.push(entry.path);
      }
    }
    const gitleaks = await loadGitleaks(cwd, repo.root);
    const setup: ScanSetup = { cwd, prefix: repo.prefix, needles, gitleaks, localDefaults: await composeDefaults(cwd, composeFiles) };

    const found: Located[] = [];
    const binary: Skipped = { count: 0, names: [] };
    let files = 0;
    let bytes = 0;
    let missing = 0;
    const onResult = (result: FileResult) => {
      if (result.status === 'missing') return void missing++;
      files++;
      // A binary file is skipped by the text scan; a private key stored as DER still counts.
      if (result.status === 'binary') skip(binary, result.path);
      else bytes += result.bytes;
      for (const hit of result.hits) found.push({ file: result.path, rootPath: repo.prefix + result.path, hit });
    };
    let ctx: ScanContext | undefined;
    const { workers } = await scanInParallel(setup, paths, onResult, signal, () => new FileScanner((ctx = scanContext(setup)), cwd, repo.prefix));

    let history: ScanResult['history'];
    // Compared with a base (pull requests), the history to scan is the pass's own: on the head the
    // change's commits (a secret added and removed inside them is still exposed), on the base its
    // history with scan-history (src/baseline.ts sets the revisions).
    const revs = baseline ? baseline.historyRevs : settings.scanHistory ? ['--all'] : undefined;
    if (revs && !signal.aborted) {
      log.info(
        baseline && !settings.scanHistory
          ? `security.committed-secrets: scanning the blobs of the change's own commits`
          : `security.committed-secrets: scanning every blob reachable in git history${repo.shallow ? ' (shallow clone: only the fetched part)' : ''}`,
      );
      // Files of the current tree outside the working directory (a monorepo's other apps) are
      // scanned with the history; their findings say they are still in the tree.
      const outside = new Set<string>();
      if (repo.prefix !== '') {
        for await (const batch of git.trackedFiles(signal, repo.root)) for (const f of batch) if (!f.path.startsWith(repo.prefix)) outside.add(f.blob);
      }
      history = await scanHistory(git, repo.root, repo.prefix, ctx ?? scanContext(setup), gitleaks, treeBlobs, outside, found, signal, revs);
    }

    const result = outcome({
      files,
      bytes,
      binary,
      missing,
      found,
      history,
      needles: needles.length,
      shallow: repo.shallow && settings.scanHistory,
      gitleaks,
      workers,
      // Compared with a base, every finding is matched: none may be left out of the comparison.
      maxFindings: baseline ? MAX_COMPARED_FINDINGS : MAX_FINDINGS,
      historyNote: baseline?.historyNote,
      changeOnly: Boolean(baseline && !settings.scanHistory),
    });
    return only ? { ...result, data: { ...result.data, baseScan: 'changed-files' } } : result;
  },
});

/**
 * Values the repository's local docker-compose files set (`environment:` of each service, as a map
 * or `KEY=value` list): an env file that repeats one holds a local default, not a secret.
 */
async function composeDefaults(cwd: string, paths: readonly string[]): Promise<string[]> {
  // `paths`: the tracked local compose files (isLocalComposeFile).
  const values = new Set<string>();
  for (const path of paths.slice(0, 20)) {
    const text = await readFile(join(cwd, path), 'utf8').catch(() => undefined);
    if (!text) continue;
    const services = parseDocument(text).get('services', true);
    if (!isMap(services)) continue;
    for (const service of services.items) {
      const environment = isMap(service.value) ? service.value.get('environment', true) : undefined;
      if (isMap(environment)) {
        for (const pair of environment.items) if (isScalar(pair.value) && pair.value.value !== null) values.add(String(pair.value.value));
      } else if (isSeq(environment)) {
        for (const item of environment.items) if (isScalar(item) && typeof item.value === 'string' && item.value.includes('=')) values.add(item.value.slice(item.value.indexOf('=') + 1));
      }
    }
  }
  return [...values].filter((v) => v.length > 0);
}

/**
 * Every blob reachable in history that is not in the index (those were scanned in the work tree),
 * then, for the blobs with hits, the commit and path that introduced them: one finding per path and
 * thing found, at its first version; what the tree scan reported is not repeated.
 */
async function scanHistory(
  git: GitClient,
  root: string,
  prefix: string,
  ctx: ScanContext,
  gitleaks: GitleaksSetup | undefined,
  treeBlobs: ReadonlySet<string>,
  outside: ReadonlySet<string>,
  tree: readonly Located[],
  signal: AbortSignal,
  revs: readonly string[],
) {
  const binary: Skipped = { count: 0, names: [] };
  let blobs = 0;
  let bytes = 0;
  /** Blobs with hits beyond MAX_HISTORY_BLOBS: counted, not reported one by one. */
  let unplaced = 0;
  const withHits = new Map<string, { path: string; hits: Hit[] }>();
  const record = (id: string, path: string, hits: Hit[]) => {
    const kept = hits.filter(isReported);
    if (kept.length === 0) return;
    if (withHits.size < MAX_HISTORY_BLOBS) withHits.set(id, { path, hits: kept });
    else unplaced++;
  };
  const large: Array<{ id: string; path: string }> = [];
  let sinceYield = 0;
  for await (const blob of git.historyBlobs(root, { skip: treeBlobs, maxBytes: CHUNK_BYTES, signal, revs })) {
    blobs++;
    if (!blob.content) {
      large.push({ id: blob.id, path: blob.path });
      continue;
    }
    const text = textOf(blob.content);
    if (!text) {
      skip(binary, blob.path);
      record(blob.id, blob.path, scanBinary(ctx, blob.path, blob.content));
      continue;
    }
    bytes += blob.size;
    record(blob.id, blob.path, scanText(ctx, blob.path, text));
    sinceYield += blob.size;
    if (sinceYield > YIELD_BYTES) {
      sinceYield = 0;
      await nextTurn();
    }
  }
  // Blobs too large to hold: streamed one by one.
  for (const { id, path } of large) {
    if (signal.aborted) break;
    const stream = new StreamScan(ctx, path);
    let first = true;
    let isText = true;
    for await (const chunk of git.blobChunks(root, id, signal)) {
      if (first && !textOf(chunk.subarray(0, 8192))) {
        isText = false;
        break;
      }
      first = false;
      stream.push(chunk);
      bytes += chunk.length;
    }
    if (!isText) skip(binary, path);
    else record(id, path, stream.end());
  }

  const compiled = gitleaks ? compileGitleaks(gitleaks) : undefined;
  const introductions = await git.blobIntroductions(root, new Set(withHits.keys()), signal, revs);
  const inTree = new Set(tree.map((t) => `${t.rootPath}\u0000${t.hit.key}`));
  const groups = new Map<string, { located: Located; order: number }>();
  for (const [id, { path: listedPath, hits }] of withHits) {
    const intro = introductions.get(id);
    const rootPath = intro?.path ?? listedPath;
    // A commit a gitleaks allowlist (or `.gitleaksignore`) names is not reported (the shapes only).
    const allowedCommit = intro && compiled?.allowsCommit(intro.commit, rootPath);
    const inBlob = new Set<string>();
    for (const hit of hits) {
      if (allowedCommit && hit.kind !== 'secret') continue;
      const key = `${rootPath}\u0000${hit.key}`;
      if (inTree.has(key) || inBlob.has(key)) continue;
      inBlob.add(key);
      const order = intro?.order ?? Number.MAX_SAFE_INTEGER;
      const group = groups.get(key);
      if (group) {
        group.located.history!.versions++;
        if (order >= group.order) continue;
      }
      const file = prefix === '' ? rootPath : rootPath.startsWith(prefix) ? rootPath.slice(prefix.length) : undefined;
      const versions = group ? group.located.history!.versions : 1;
      const history = { commit: intro?.commit, time: intro?.time, versions, outsideWorkingDirectory: outside.has(id) };
      groups.set(key, { located: { file, rootPath, hit, history }, order });
    }
  }
  return { blobs, bytes, binary, unplaced, found: [...groups.values()].map((g) => g.located) };
}

interface ScanResult {
  files: number;
  bytes: number;
  binary: Skipped;
  missing: number;
  found: Located[];
  history?: { blobs: number; bytes: number; binary: Skipped; unplaced: number; found: Located[] };
  needles: number;
  shallow: boolean;
  gitleaks?: GitleaksSetup;
  /** Worker threads that helped scan the tree. */
  workers: number;
  /** Findings kept at most. */
  maxFindings: number;
  /** Why part of the change's history was not searched (a shallow checkout). */
  historyNote?: string;
  /** The history scanned is the change's own commits (a run compared with its base, without scan-history). */
  changeOnly: boolean;
}

const KIND_WORDS: Record<Exclude<Hit['kind'], 'info'>, [string, string]> = {
  secret: ['configured secret value', 'configured secret values'],
  credential: ['live credential', 'live credentials'],
  env: ['env-file secret', 'env-file secrets'],
  protected: ['protected credential', 'protected credentials'],
};

const count = (n: number, [one, many]: [string, string]) => `${n} ${n === 1 ? one : many}`;
const megabytes = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

function where(located: Located): string {
  const place = `${located.file ?? located.rootPath}:${located.hit.line}`;
  if (!located.history) return place;
  const { commit, time, versions, outsideWorkingDirectory } = located.history;
  const when = time ? ` on ${new Date(time * 1000).toISOString().slice(0, 10)}` : '';
  const introduced = commit ? `added in commit ${commit.slice(0, 12)}${when} as ${place}` : `in a version of ${place}`;
  const still = outsideWorkingDirectory ? 'still in the tree, outside the working directory' : 'no longer in the tree';
  return `${introduced}${versions > 1 ? ` (in ${versions} versions)` : ''}, ${still}`;
}

/**
 * A finding's identity (engine/identity.ts): what was found and by which shape, and, for matching
 * within the run only, a keyed hash of the value's digest: the same secret moved, copied or in a
 * renamed file is the same finding; its line is never hashed.
 */
function identity(located: Located): Pick<Finding, 'key' | 'secretMatch' | 'inHistory'> {
  return { key: `${located.hit.kind}:${located.hit.rule}`, secretMatch: secretMatch(located.hit.key), ...(located.history ? { inHistory: true } : {}) };
}

function message(located: Located): string {
  const { hit } = located;
  const what = hit.masked ? `${hit.label}: ${hit.masked}` : hit.label;
  if (!located.history) return what;
  return `${located.history.outsideWorkingDirectory ? 'In the repository' : 'In git history only'}: ${what}, ${where(located)}`;
}

/** The shapes searched, each named once ("Stripe live secret key, GitHub token, …"). */
const SHAPE_NAMES = [...new Set(CREDENTIAL_PATTERNS.map((p) => p.label.replace(/^an? /, '').replace(/ \(.*\)$/, '')))];

function outcome(r: ScanResult): Outcome {
  const everything = [...r.found, ...(r.history?.found ?? [])].sort(
    (a, b) => Number(Boolean(a.history)) - Number(Boolean(b.history)) || (a.file ?? a.rootPath).localeCompare(b.file ?? b.rootPath) || a.hit.line - b.hit.line,
  );
  const all = everything.filter((l) => isReported(l.hit));
  const info = everything.filter((l) => !isReported(l.hit));
  const scanned = `${r.files} tracked files scanned (${r.binary.count} skipped as binary)`;
  const historyScanned = r.history ? `; ${r.history.blobs} history blobs scanned` : '';

  const details: string[] = [
    `${scanned}, ${megabytes(r.bytes)}${r.missing ? `; ${r.missing} tracked files absent from the work tree` : ''}${r.workers ? ` (with ${r.workers} worker thread${r.workers === 1 ? '' : 's'})` : ''}.`,
    `Searched for ${r.needles > 0 ? `the values of the configured secrets (${r.needles} needles: raw, URL-encoded, base64, hex, JSON-escaped, and split across lines)` : 'no configured secret value (none of 8+ characters is set)'}, ${SHAPE_NAMES.length} live-credential shapes (${SHAPE_NAMES.join(', ')}), also behind URL encoding, JSON/JS escapes, string concatenation and in UTF-16 files; private keys by their decoded structure (PEM, OpenSSH, OpenPGP, PuTTY, JWK, DER files); base64 values decoded where the format says so (Kubernetes Secret data, Docker config auths, kustomize secretGenerator, Helm templates); credential files by name or content (.pgpass, .netrc, .git-credentials, AWS credentials); and secrets in env files (by name or by content).`,
  ];
  if (r.gitleaks) {
    const g = r.gitleaks;
    details.push(
      `gitleaks configuration${g.file ? ` ${g.file}` : ''}: ${g.rules.length} rules, ${g.allowlists.length} global allowlists, ${g.disabledRules.length} disabled rules, ${g.ignore.length} .gitleaksignore fingerprints applied.`,
      ...g.notes.map((n) => `- ${n}`),
    );
  }
  if (r.binary.count > 0) details.push(`Skipped as binary: ${r.binary.count} (${r.binary.names.join(', ')}${r.binary.count > r.binary.names.length ? ', …' : ''}).`);
  if (r.history) {
    details.push(
      `History${r.changeOnly ? " (the change's own commits)" : ''}: ${r.history.blobs} blobs beyond the working directory's tracked files scanned (${megabytes(r.history.bytes)}); ${r.history.binary.count} binary skipped.${r.history.unplaced ? ` ${r.history.unplaced} more blobs with findings were not placed in history (over ${MAX_HISTORY_BLOBS}).` : ''}`,
    );
    if (r.historyNote) details.push(r.historyNote);
  } else {
    details.push('History was not scanned (`scan-history: false`): a secret removed from the tree but still in an old commit is not seen.');
  }
  if (r.shallow) details.push('The clone is shallow: only the fetched commits were scanned. Use `fetch-depth: 0` on actions/checkout to scan the whole history.');
  if (info.length > 0) {
    details.push(
      '',
      `Not secrets (information): ${info.length} env entries with local defaults or template samples:`,
      ...info.slice(0, SHOWN_INFO).map((l) => `- \`${l.file ?? l.rootPath}:${l.hit.line}\` ${message(l)}`),
      ...(info.length > SHOWN_INFO ? [`- … and ${info.length - SHOWN_INFO} more`] : []),
    );
  }
  // A template's random-looking sample is worth a notice on its line; local defaults are only listed.
  const notices: Finding[] = info
    .filter((l) => l.hit.rule === 'env-sample' && l.file !== undefined && !l.history)
    .slice(0, 10)
    .map((l) => ({ level: 'notice', message: message(l), file: l.file!, line: l.hit.line, ...identity(l) }));
  const brokenConfig: Finding[] = r.gitleaks?.broken && r.gitleaks.file ? [{ level: 'warning', message: r.gitleaks.notes[0]!, file: r.gitleaks.file, line: 1, key: 'gitleaks-config' }] : [];

  if (all.length === 0) {
    if (r.shallow || brokenConfig.length > 0) {
      return {
        status: 'warn',
        summary: brokenConfig.length > 0 ? `${scanned}${historyScanned}, nothing found, but ${r.gitleaks!.file} could not be read, so its rules and allowlists were not applied` : `${scanned}${historyScanned}, nothing found, but the history is shallow: older commits were not scanned`,
        details: details.join('\n'),
        fix: brokenConfig.length > 0 ? `Fix ${r.gitleaks!.file} (it must be valid TOML).` : 'Check out with `fetch-depth: 0` (actions/checkout) so scan-history sees every commit.',
        findings: [...brokenConfig, ...notices],
        data: data(r, 0),
      };
    }
    return {
      status: 'pass',
      summary: `${scanned}${historyScanned}, no secret value, no live credential, no env file with secrets`,
      details: details.join('\n'),
      ...(notices.length > 0 ? { findings: notices } : {}),
      data: data(r, 0),
    };
  }

  const findings: Finding[] = all.slice(0, r.maxFindings).map((located) => ({
    level: isError(located.hit) ? 'error' : 'warning',
    message: message(located),
    ...(located.file !== undefined ? { file: located.file, line: located.hit.line } : {}),
    ...identity(located),
  }));
  const kinds = (['secret', 'credential', 'env', 'protected'] as const)
    .map((kind) => [kind, all.filter((l) => l.hit.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => count(n, KIND_WORDS[kind]));
  const historyOnly = all.filter((l) => l.history && !l.history.outsideWorkingDirectory).length;
  const errors = all.filter((l) => isError(l.hit)).length;
  // The summary names the first error; with none, the first protected credential (a warning).
  const first = all.find((l) => isError(l.hit)) ?? all[0]!;
  const protectedCount = all.length - errors;
  details.push(
    '',
    `Found (${all.length}):`,
    ...all.slice(0, MAX_FINDINGS * 2).map((l) => `- ${l.history ? '' : `\`${l.file}:${l.hit.line}\` `}${message(l)}`),
    ...(all.length > MAX_FINDINGS * 2 ? [`- … and ${all.length - MAX_FINDINGS * 2} more`] : []),
  );
  return {
    status: errors > 0 ? 'fail' : 'warn',
    summary: `${kinds.join(', ')} committed${historyOnly ? ` (${historyOnly} only in history)` : ''}: ${first.hit.label} at ${first.file ?? first.rootPath}:${first.hit.line}${all.length > 1 ? ` and ${all.length - 1} more` : ''}`,
    details: details.join('\n'),
    fix: errors > 0 ? `${FIX}${protectedCount > 0 ? ` ${PROTECTED_FIX}` : ''}` : PROTECTED_FIX,
    findings: [...findings, ...brokenConfig, ...notices],
    data: { ...data(r, all.length), warnings: protectedCount },
  };
}

function data(r: ScanResult, findings: number): Record<string, unknown> {
  return {
    filesScanned: r.files,
    bytesScanned: r.bytes,
    skippedBinary: r.binary.count,
    needles: r.needles,
    shapes: CREDENTIAL_PATTERNS.length,
    findings,
    ...(r.gitleaks ? { gitleaksRules: r.gitleaks.rules.length, gitleaksAllowlists: r.gitleaks.allowlists.length } : {}),
    ...(r.history ? { historyBlobsScanned: r.history.blobs, historyBytesScanned: r.history.bytes, historyFindings: r.history.found.filter((l) => isReported(l.hit)).length } : {}),
  };
}
