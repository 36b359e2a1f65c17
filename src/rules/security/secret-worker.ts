/**
 * Scanning tracked files on every core: the work tree's files are handed out in batches to worker
 * threads, each of which reads (synchronously, into one reused buffer) and scans its files, so the
 * file-system calls and the byte scan of a large repository run in parallel, as `git grep` does.
 * The main thread only lists files, hands out batches and collects the (already redacted) hits.
 *
 * A worker is this module run again in a thread: under the TypeScript loader this file, in the
 * bundle the bundle itself (whose entry does not run the gate in a worker thread). When a worker
 * cannot start, the scan runs in the calling thread: the result is the same, only slower.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CREDENTIAL_PATTERNS } from './credential-shapes.js';
import { compileGitleaks, type GitleaksSetup } from './gitleaks-config.js';
import type { Needle } from './secret-patterns.js';
import { CHUNK_BYTES, type Hit, type ScanContext, scanText, SecretMatcher, StreamScan, textOf } from './secret-scanner.js';

/** UTF-16 files are converted whole up to this size (larger ones are scanned as they are). */
const MAX_UTF16_BYTES = 64 * 1024 * 1024;
/** Files handed to a worker at a time. */
const BATCH = 256;
/** Below this many files, starting workers costs more than it saves. */
export const MIN_FILES_FOR_WORKERS = 400;
/** How long a worker may take to start before the scan goes on without it. */
const START_TIMEOUT_MS = 15_000;

/** What every scanner of a run shares: plain data, so it can be sent to a worker. */
export interface ScanSetup {
  cwd: string;
  /** The working directory relative to the repository's top (`apps/web/`): allowlist paths are relative to the top. */
  prefix: string;
  needles: Needle[];
  gitleaks?: GitleaksSetup;
  localDefaults: string[];
}

/** The outcome of one tracked file. */
export interface FileResult {
  path: string;
  status: 'scanned' | 'binary' | 'missing';
  bytes: number;
  hits: Hit[];
}

/** A scan context built from the setup (the matcher, the gitleaks rules and allowlists). */
export function scanContext(setup: ScanSetup): ScanContext {
  const compiled = setup.gitleaks ? compileGitleaks(setup.gitleaks) : undefined;
  const patterns = CREDENTIAL_PATTERNS.filter((p) => !compiled?.disabled.has(p.id));
  // Sent to a worker, Buffers arrive as plain Uint8Arrays.
  const buffer = (bytes: Uint8Array) => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length));
  const needles = setup.needles.map((n) => ({ ...n, bytes: buffer(n.bytes), ...(n.piece ? { piece: { side: n.piece.side, form: buffer(n.piece.form) } } : {}) }));
  return {
    matcher: new SecretMatcher(needles, patterns),
    extra: compiled?.extra,
    allow: compiled?.allow,
    localDefaults: new Set(setup.localDefaults),
  };
}

/**
 * Reads tracked files from the work tree into one reused buffer and scans them: a scan of thousands
 * of small files allocates (and collects) nothing per file. Synchronous on purpose: for the small
 * files of a repository, open/read/close cost less than the thread-pool round trips of the promise
 * API (measured: 2-3x faster); the parallelism comes from the worker threads.
 */
export class FileScanner {
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);

  constructor(
    private readonly ctx: ScanContext,
    private readonly cwd: string,
    private readonly prefix = '',
  ) {}

  scan(path: string): FileResult {
    let fd: number;
    try {
      fd = openSync(join(this.cwd, path), 'r');
    } catch {
      return { path, status: 'missing', bytes: 0, hits: [] }; // deleted in the work tree, or outside a sparse checkout
    }
    try {
      const filled = this.fill(fd, this.buffer, 0);
      const first = this.buffer.subarray(0, filled);
      if (filled < this.buffer.length) {
        const text = textOf(first);
        if (!text) return { path, status: 'binary', bytes: filled, hits: [] };
        return { path, status: 'scanned', bytes: filled, hits: scanText(this.ctx, this.prefix + path, text) };
      }
      // A large file: streamed in chunks (a UTF-16 one is converted whole, up to a bound).
      const text = textOf(first);
      if (!text) return { path, status: 'binary', bytes: filled, hits: [] };
      if (text !== first) return this.utf16(fd, path);
      const stream = new StreamScan(this.ctx, this.prefix + path);
      let bytes = 0;
      for (let read = filled; read > 0; read = this.fill(fd, this.buffer, bytes)) {
        stream.push(this.buffer.subarray(0, read));
        bytes += read;
      }
      return { path, status: 'scanned', bytes, hits: stream.end() };
    } catch {
      return { path, status: 'missing', bytes: 0, hits: [] }; // a directory where git has a file (a submodule not registered as one)
    } finally {
      closeSync(fd);
    }
  }

  /** Fills `buffer` from `position` until it is full or the file ends; returns the bytes read. */
  private fill(fd: number, buffer: Buffer, position: number): number {
    let filled = 0;
    for (let read = -1; read !== 0 && filled < buffer.length; filled += read) {
      read = readSync(fd, buffer, filled, buffer.length - filled, position + filled);
    }
    return filled;
  }

  private utf16(fd: number, path: string): FileResult {
    const chunks: Buffer[] = [];
    let total = 0;
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    for (let read = this.fill(fd, chunk, 0); read > 0 && total < MAX_UTF16_BYTES; read = this.fill(fd, chunk, total)) {
      chunks.push(Buffer.from(chunk.subarray(0, read)));
      total += read;
    }
    const text = textOf(Buffer.concat(chunks)) ?? Buffer.alloc(0);
    const stream = new StreamScan(this.ctx, this.prefix + path);
    stream.push(text);
    return { path, status: 'scanned', bytes: total, hits: stream.end() };
  }
}

interface WorkerInit {
  prgSecretScan: true;
  setup: ScanSetup;
}

type ToWorker = { paths: string[] } | { done: true };
type FromWorker = { ready: true } | { results: FileResult[] } | { failed: string };

/**
 * Scans `files` (paths relative to `setup.cwd`) on worker threads, calling `onResult` for each file
 * as results come in. Returns the files no worker scanned (all of them when no worker could start,
 * the batch of a worker that died): the caller scans those in its own thread.
 */
export async function scanOnWorkers(
  setup: ScanSetup,
  files: readonly string[],
  onResult: (result: FileResult) => void,
  signal: AbortSignal,
  count = Math.min(availableParallelism(), 8),
): Promise<string[]> {
  if (count < 2 || files.length < MIN_FILES_FOR_WORKERS) return [...files];
  let next = 0;
  let started = 0;
  const leftover: string[] = [];
  const workers: Worker[] = [];
  await new Promise<void>((resolve) => {
    let active = 0;
    const stopAll = () => {
      for (const w of workers) void w.terminate();
    };
    signal.addEventListener('abort', stopAll, { once: true });
    const timer = setTimeout(() => {
      if (started === 0) stopAll();
    }, START_TIMEOUT_MS);
    timer.unref();
    const hand = (worker: Worker, inFlight: { paths: string[] }) => {
      if (next < files.length && !signal.aborted) {
        inFlight.paths = files.slice(next, next + BATCH);
        next += BATCH;
        worker.postMessage({ paths: inFlight.paths } satisfies ToWorker);
      } else {
        inFlight.paths = [];
        worker.postMessage({ done: true } satisfies ToWorker);
      }
    };
    for (let i = 0; i < count; i++) {
      let worker: Worker;
      try {
        const [entry, evaluated] = workerEntry();
        worker = new Worker(entry, { eval: evaluated, workerData: { prgSecretScan: true, setup } satisfies WorkerInit, stdout: true, stderr: true });
      } catch {
        continue;
      }
      workers.push(worker);
      active++;
      const inFlight = { paths: [] as string[] };
      worker.on('message', (message: FromWorker) => {
        if ('ready' in message) {
          started++;
          hand(worker, inFlight);
        } else if ('results' in message) {
          for (const result of message.results) onResult(result);
          hand(worker, inFlight);
        }
      });
      worker.on('error', () => undefined); // a worker that fails leaves its files to the calling thread
      worker.on('exit', () => {
        active--;
        leftover.push(...inFlight.paths);
        inFlight.paths = [];
        if (active === 0) {
          clearTimeout(timer);
          signal.removeEventListener('abort', stopAll);
          resolve();
        }
      });
    }
    if (workers.length === 0) {
      clearTimeout(timer);
      resolve();
    }
  });
  if (!signal.aborted) leftover.push(...files.slice(next));
  return leftover;
}

/**
 * What a worker runs: this module (in the bundle, the bundle). From the TypeScript sources (tests,
 * benchmarks) a small script registers the TypeScript loader first: Node 20 does not apply an
 * `--import` loader to a worker's entry.
 */
function workerEntry(): [URL | string, boolean] {
  if (!import.meta.url.endsWith('.ts')) return [new URL(import.meta.url), false];
  const api = import.meta.resolve('tsx/esm/api');
  return [`import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`, true];
}

/** The worker side: build the context once, then scan each batch it is handed. */
function runWorker(init: WorkerInit): void {
  const port = parentPort!;
  let scanner: FileScanner;
  try {
    scanner = new FileScanner(scanContext(init.setup), init.setup.cwd, init.setup.prefix);
  } catch (error) {
    port.postMessage({ failed: (error as Error).message } satisfies FromWorker);
    process.exit(1);
  }
  port.on('message', (message: ToWorker) => {
    if ('done' in message) {
      port.close();
      return;
    }
    const results = message.paths.map((path) => scanner.scan(path));
    port.postMessage({ results } satisfies FromWorker);
  });
  port.postMessage({ ready: true } satisfies FromWorker);
}

if (!isMainThread && (workerData as Partial<WorkerInit> | undefined)?.prgSecretScan) runWorker(workerData as WorkerInit);
