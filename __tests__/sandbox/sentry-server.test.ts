import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { startSentryServer, type SentryServerHandle } from '../../sandbox/sentry-server.js';

const publicKey = randomBytes(16).toString('hex');
const token = `sntryu_${randomBytes(32).toString('hex')}`;
let sentry: SentryServerHandle;

before(async () => {
  sentry = await startSentryServer({ org: 'acme', project: 'web', projectId: '42', publicKey, authToken: token, processingDelayMs: 300 });
});
after(() => sentry.stop());

function envelope(eventId: string): string {
  return [
    JSON.stringify({ event_id: eventId, sent_at: new Date().toISOString() }),
    JSON.stringify({ type: 'event' }),
    JSON.stringify({ event_id: eventId, message: 'readiness probe', level: 'info', environment: 'production' }),
  ].join('\n');
}

test('an envelope is accepted, then the event appears in the API after processing', async () => {
  const eventId = randomBytes(16).toString('hex');
  const posted = await fetch(`${sentry.url}/api/42/envelope/`, {
    method: 'POST',
    headers: {
      'X-Sentry-Auth': `Sentry sentry_version=7, sentry_client=gate/1.0.0, sentry_key=${publicKey}`,
      'Content-Encoding': 'gzip',
    },
    body: gzipSync(envelope(eventId)),
  });
  assert.equal(posted.status, 200);
  assert.deepEqual(await posted.json(), { id: eventId });

  const url = `${sentry.url}/api/0/projects/acme/web/events/${eventId}/`;
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await fetch(url, { headers: auth })).status, 404, 'not processed yet');
  await new Promise((r) => setTimeout(r, 350));
  const found = await fetch(url, { headers: auth });
  assert.equal(found.status, 200);
  const event = (await found.json()) as { eventID: string; message: string };
  assert.equal(event.eventID, eventId);
  assert.equal(event.message, 'readiness probe');
  assert.equal((await fetch(url)).status, 401, 'the API needs the token');
});

test('a wrong key or project is refused', async () => {
  const body = envelope(randomBytes(16).toString('hex'));
  const wrongKey = await fetch(`${sentry.url}/api/42/envelope/?sentry_key=${'0'.repeat(32)}`, { method: 'POST', body });
  assert.equal(wrongKey.status, 401);
  const wrongProject = await fetch(`${sentry.url}/api/43/envelope/?sentry_key=${publicKey}`, { method: 'POST', body });
  assert.equal(wrongProject.status, 403);
});

test('alert rules are listed', async () => {
  const res = await fetch(`${sentry.url}/api/0/projects/acme/web/rules/`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  const rules = (await res.json()) as { status: string }[];
  assert.equal(rules.length, 1);
  assert.equal(rules[0]!.status, 'active');
});
