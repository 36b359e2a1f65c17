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
import { sep } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { CREDENTIAL_PATTERNS } from './credential-shapes.js';
import { compileGitleaks, type GitleaksSetup } from './gitleaks-config.js';
import type { Needle } from './patterns.js';
import { CHUNK_BYTES, FORMAT_ANCHORS, type Hit, type ScanContext, scanBinary, scanText, SecretMatcher, StreamScan, textOf } from './scanner.js';

/** UTF-16 files are converted whole up to this size (larger ones are scanned as they are). */
const MAX_UTF16_BYTES = 64 * 1024 * 1024;
/** Files handed to a worker at a time. */
const BATCH = 256;
/** Below this many files, starting workers costs more than it saves. */
export const MIN_FILES_FOR_WORKERS = 400;

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
    matcher: new SecretMatcher(needles, patterns, FORMAT_ANCHORS),
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

  /** The working directory with a trailing separator: git's paths are joined to it as they are. */
  private readonly base: string;

  constructor(
    private readonly ctx: ScanContext,
    cwd: string,
    private readonly prefix = '',
  ) {
    this.base = cwd.endsWith(sep) ? cwd : cwd + sep;
  }

  scan(path: string): FileResult {
    let fd: number;
    try {
      fd = openSync(this.base + path, 'r');
    } catch {
      return { path, status: 'missing', bytes: 0, hits: [] }; // deleted in the work tree, or outside a sparse checkout
    }
    try {
      const filled = this.fill(fd, this.buffer, 0);
      const first = this.buffer.subarray(0, filled);
      if (filled < this.buffer.length) {
        const text = textOf(first);
        // A binary file is not scanned as text; a private key stored as DER or binary OpenPGP is still found.
        if (!text) return { path, status: 'binary', bytes: filled, hits: scanBinary(this.ctx, this.prefix + path, first) };
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
 * Scans `files` (paths relative to `setup.cwd`) with the calling thread and worker threads together,
 * calling `onResult` for each file. The files are cut into batches; the calling thread scans batch
 * after batch from the start (so the workers' start-up never delays the scan, and a machine whose
 * cores are busy loses nothing), and each worker takes batches as soon as it is ready. A batch a
 * worker held when it died goes back to the queue. Workers are ended when the queue is empty.
 */
export async function scanInParallel(
  setup: ScanSetup,
  files: readonly string[],
  onResult: (result: FileResult) => void,
  signal: AbortSignal,
  local: () => FileScanner,
  // One per core besides the calling thread: reading a cold checkout waits on the disk, and more readers overlap it.
  workerCount = Math.min(availableParallelism(), 8),
): Promise<{ workers: number }> {
  const queue: string[][] = [];
  for (let i = 0; i < files.length; i += BATCH) queue.push(files.slice(i, i + BATCH));
  const workers: Worker[] = [];
  /** Workers scanning a batch now. */
  const holding = new Set<Worker>();
  let helped = 0;
  let changed: () => void = () => undefined;
  if (workerCount >= 1 && files.length >= MIN_FILES_FOR_WORKERS) {
    for (let i = 0; i < workerCount; i++) {
      let worker: Worker;
      try {
        const [entry, evaluated] = workerEntry();
        worker = new Worker(entry, { eval: evaluated, workerData: { prgSecretScan: true, setup } satisfies WorkerInit, stdout: true, stderr: true });
      } catch {
        continue;
      }
      workers.push(worker);
      let held: string[] | undefined;
      const hand = () => {
        held = signal.aborted ? undefined : queue.shift();
        if (held) holding.add(worker);
        else holding.delete(worker);
        worker.postMessage((held ? { paths: held } : { done: true }) satisfies ToWorker);
      };
      worker.on('message', (message: FromWorker) => {
        if ('ready' in message) {
          helped++;
          hand();
        } else if ('results' in message) {
          held = undefined;
          for (const result of message.results) onResult(result);
          hand();
          changed();
        }
      });
      worker.on('error', () => undefined); // a worker that fails leaves its files to the calling thread
      worker.on('exit', () => {
        if (held) queue.push(held);
        held = undefined;
        holding.delete(worker);
        changed();
      });
    }
  }
  const stopAll = () => {
    for (const w of workers) void w.terminate();
  };
  signal.addEventListener('abort', stopAll, { once: true });
  try {
    let scanner: FileScanner | undefined;
    for (;;) {
      const batch = signal.aborted ? undefined : queue.shift();
      if (!batch) {
        // The queue is empty: a worker still starting or waiting is not needed any more; wait for
        // those scanning a batch (the batch of one that dies comes back to the queue).
        for (const w of workers) if (!holding.has(w)) void w.terminate();
        if (holding.size === 0 || signal.aborted) break;
        await new Promise<void>((resolve) => (changed = resolve));
        continue;
      }
      scanner ??= local();
      for (const path of batch) onResult(scanner.scan(path));
      // Let the workers' messages (and the rules running alongside) have their turn.
      await nextTurn();
    }
  } finally {
    signal.removeEventListener('abort', stopAll);
    stopAll();
  }
  return { workers: helped };
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
