import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * PostgreSQL runs as a separate process: it must not outlive the Node process that started it,
 * whether that process exits normally or is killed outright.
 */
const script = path.join(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), 'fixtures', 'start-postgres.ts');

async function startChild(mode: 'exit' | 'wait'): Promise<{ child: ReturnType<typeof spawn>; port: number; exited: Promise<void> }> {
  // A server killed with its parent cannot remove its files: the test owns the directory.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-leftover-test-'));
  const child = spawn(process.execPath, ['--import', 'tsx', script, mode, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port=(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
  });
  return { child, port, exited };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

async function eventuallyClosed(port: number, ms = 5000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (!(await accepts(port))) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

test('the server stops when the Node process exits without calling stop()', async () => {
  const { port, exited } = await startChild('exit');
  await exited;
  assert.ok(await eventuallyClosed(port), 'postgres still accepts connections');
});

test('the server stops when the Node process is killed with SIGKILL', async () => {
  const { child, port } = await startChild('wait');
  assert.ok(await accepts(port));
  child.kill('SIGKILL');
  assert.ok(await eventuallyClosed(port), 'postgres still accepts connections');
});
