/** The repository model: each deploy file read and parsed once per run, with positions. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules } from '../../src/engine/runner.js';
import { createClients } from '../../src/probes/clients.js';
import { Repository } from '../../src/probes/repository.js';
import { noDbPush } from '../../src/rules/gate/no-db-push.js';
import { workflowSecrets } from '../../src/rules/security/workflow-secrets.js';
import { settingsFor, silentLog, tempRepo } from '../helpers.js';

test('TOML is read with a real parser, each key at its line: tables, dotted keys, inline tables, multi-line values', async () => {
  const toml = '# c\n[build]\ncommand = "a \\"b\\""  # x\n[context.production]\n  command = \'lit\'\n[processes]\napp = """\nnpm start"""\nweb.cmd = [\n  "x", # one\n  "y",\n]\n[[services]]\n  internal_port = 8080\n  auto = { stop = false, start = "yes" }\n[[services]]\n  internal_port = 9090\n';
  const repo = tempRepo({ 'fly.toml': toml });
  try {
    const file = (await new Repository(repo.dir).toml('fly.toml'))!;
    // smol-toml's tables have no prototype: compared as plain data.
    assert.deepEqual(JSON.parse(JSON.stringify(file.value)), {
      build: { command: 'a "b"' },
      context: { production: { command: 'lit' } },
      processes: { app: 'npm start', web: { cmd: ['x', 'y'] } },
      services: [{ internal_port: 8080, auto: { stop: false, start: 'yes' } }, { internal_port: 9090 }],
    });
    const lineOf = (...path: Array<string | number>) => file.lineOf(path);
    assert.equal(lineOf('build', 'command'), 3);
    assert.equal(lineOf('context', 'production', 'command'), 5);
    assert.equal(lineOf('processes', 'app'), 7);
    assert.equal(lineOf('processes', 'web', 'cmd'), 9);
    assert.equal(lineOf('processes', 'web', 'cmd', 1), 11);
    assert.equal(lineOf('services', 0, 'auto', 'start'), 15);
    assert.equal(lineOf('services', 1, 'internal_port'), 17);
    assert.equal(lineOf('services', 1, 'nothing', 'here'), 16, 'a key that is not written falls back to its nearest parent (the [[services]] header)');
  } finally {
    repo.cleanup();
  }
});

test('gate.no-db-push and security.workflow-secrets share one model: every file is read once per run', async () => {
  const repo = tempRepo({
    'package.json': '{ "scripts": { "build": "next build", "setup:db": "prisma db push" } }\n',
    '.github/workflows/deploy.yml': 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    env:\n      NEXTAUTH_DEBUG: "true"\n    steps:\n      - run: npx prisma db push\n',
    'vercel.json': '{ "buildCommand": "npm run build", "env": { "ENABLE_HSTS": "false" } }\n',
    'fly.toml': '[env]\n  ENABLE_CSP_STRICT = false\n[deploy]\n  release_command = "npx prisma migrate deploy"\n',
  });
  try {
    const settings = await settingsFor({}, { repo: repo.dir });
    const clients = createClients(settings);
    const model = await clients.repository();
    assert.equal(await clients.repository(), model, 'one model per run');
    const reads = new Map<string, number>();
    const read = model.read.bind(model);
    model.read = (file: string) => {
      reads.set(file, (reads.get(file) ?? 0) + 1);
      return read(file);
    };
    const [push, secrets] = await runRules([noDbPush, workflowSecrets], { context: { settings, clients, log: silentLog }, probeTimeoutMs: 10_000, commandTimeoutMs: 10_000 });
    await clients.close();
    assert.equal(push!.status, 'fail', 'the workflow runs prisma db push');
    assert.equal(secrets!.status, 'fail', 'the workflow and the platform files set unsafe flags');
    assert.deepEqual(secrets!.findings.map((f) => f.file).sort(), ['.github/workflows/deploy.yml', 'fly.toml', 'vercel.json']);
    for (const file of ['.github/workflows/deploy.yml', 'vercel.json', 'fly.toml']) assert.equal(reads.get(file), 1, file);
  } finally {
    repo.cleanup();
  }
});
