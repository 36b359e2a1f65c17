/**
 * Files whose format is a list of credentials, read by that format: PostgreSQL's `.pgpass`
 * (`host:port:database:user:password`, `\:` escapes), `.netrc` (`machine … login … password …`,
 * `macdef` bodies skipped), Git's `.git-credentials` (one `https://user:token@host` URL a line), and
 * the AWS CLI's `credentials` / `config` (INI profiles with `aws_secret_access_key`,
 * `aws_session_token`). Found by name wherever they are in the tree, and by content (the scanner
 * sniffs the first line of small files that are not code). Each password goes to the scanner as a
 * value (scanner.ts `judgeValue`): its shape, the run's own values, placeholders and local defaults
 * are judged there. `.npmrc` / `.yarnrc.yml` auth lines and htpasswd hashes are shapes
 * (credential-shapes.ts): they are found in any file, and in decoded values.
 */
import { posix } from 'node:path';
import type { ContextValue } from './encoded-contexts.js';

export type CredentialFileKind = 'pgpass' | 'netrc' | 'git-credentials' | 'aws';

const NAMES: Record<CredentialFileKind, string> = {
  pgpass: 'the .pgpass file',
  netrc: 'the .netrc file',
  'git-credentials': 'the .git-credentials file',
  aws: 'the AWS credentials file',
};

/** The credential file a path names: `.pgpass`, `pgpass.conf`, `.netrc`, `_netrc`, `.git-credentials`, `.aws/credentials`, `.aws/config`. */
export function credentialFileKind(path: string): CredentialFileKind | undefined {
  const base = posix.basename(path);
  if (/^\.?pgpass(?:\.conf)?$/.test(base)) return 'pgpass';
  if (/^[._]netrc$/.test(base)) return 'netrc';
  if (/^\.?git-credentials$/.test(base)) return 'git-credentials';
  if (/(?:^|\/)\.aws\/(?:credentials|config)$/.test(path) || /^(?:aws[-_.])?credentials(?:\.ini)?$/.test(base)) return 'aws';
  return undefined;
}

/** A `.pgpass` line: a host name (or `*`), a port (or `*`), a database and a user with a letter (or `*`), a password. */
const PGPASS_LINE = /^(?:\*|[\w.-]*[A-Za-z.][\w.-]*):(?:\d{1,5}|\*):(?:[^:\\\s]|\\.)*[A-Za-z_*](?:[^:\\\s]|\\.)*:(?:[^:\\\s]|\\.)*[A-Za-z_*](?:[^:\\\s]|\\.)*:\S/;

/** The credential file a small text file is, judged by its first line that is not blank or a comment. */
export function sniffCredentialFile(firstLine: string, text: () => string): CredentialFileKind | undefined {
  if (PGPASS_LINE.test(firstLine)) return 'pgpass';
  if (/^(?:machine\s+\S+|default)(?:\s|$)/.test(firstLine) && /\b(?:password|login)\s+\S/.test(text())) return 'netrc';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@[^\s/]+\S*$/i.test(firstLine)) return 'git-credentials';
  if (/^\[[^\]\n]+\]$/.test(firstLine) && /^\s*aws_(?:secret_access_key|session_token|security_token)\s*=/m.test(text())) return 'aws';
  return undefined;
}

/** The credentials a file of `kind` holds, with their lines. */
export function credentialFileValues(kind: CredentialFileKind, text: string): ContextValue[] {
  const container = NAMES[kind];
  if (kind === 'pgpass') return pgpass(text, container);
  if (kind === 'netrc') return netrc(text, container);
  if (kind === 'git-credentials') return gitCredentials(text, container);
  return aws(text, container);
}

const lines = (text: string) => text.split('\n').map((line, i) => ({ line: i + 1, text: line.replace(/\r$/, '') }));

/** `hostname:port:database:username:password`, `\:` and `\\` escaped (PostgreSQL's libpq documentation). */
function pgpass(text: string, container: string): ContextValue[] {
  const out: ContextValue[] = [];
  for (const { line, text: entry } of lines(text)) {
    if (entry.trim() === '' || entry.trimStart().startsWith('#')) continue;
    const fields: string[] = [''];
    for (let i = 0; i < entry.length; i++) {
      const c = entry[i]!;
      if (c === '\\' && i + 1 < entry.length) fields[fields.length - 1] += entry[++i];
      else if (c === ':' && fields.length < 5) fields.push('');
      else fields[fields.length - 1] += c;
    }
    if (fields.length !== 5) continue;
    const [host, port, , user, password] = fields as [string, string, string, string, string];
    out.push({ line, value: password, container, field: `${user}@${host}:${port}`, credential: 'a PostgreSQL password', host: host === '*' ? '' : host.toLowerCase(), shownPrefix: `${user}:` });
  }
  return out;
}

/** `machine <host> login <user> password <password>` tokens, on one line or many; `macdef` bodies end at a blank line. */
function netrc(text: string, container: string): ContextValue[] {
  const out: ContextValue[] = [];
  let host = '';
  let login: string | undefined;
  let inMacro = false;
  let expect: string | undefined;
  for (const { line, text: entry } of lines(text)) {
    if (inMacro) {
      if (entry.trim() === '') inMacro = false;
      continue;
    }
    if (entry.trimStart().startsWith('#')) continue;
    for (const token of entry.trim().split(/\s+/).filter(Boolean)) {
      if (expect) {
        const key = expect;
        expect = undefined;
        if (key === 'machine') [host, login] = [token.toLowerCase(), undefined];
        else if (key === 'login') login = token;
        else if (key === 'password' || key === 'account') {
          out.push({ line, value: token, container, field: `machine ${host || 'default'}${login ? `, login ${login}` : ''}`, credential: key === 'password' ? 'a password' : 'an account password', host, shownPrefix: login ? `${login}:` : undefined });
        } else if (key === 'macdef') inMacro = true;
        continue;
      }
      if (token === 'default') [host, login] = ['', undefined];
      else if (['machine', 'login', 'password', 'account', 'macdef'].includes(token)) expect = token;
    }
  }
  return out;
}

/** One URL a line: `https://user:token@host[/path]` (Git's credential-store). */
function gitCredentials(text: string, container: string): ContextValue[] {
  const out: ContextValue[] = [];
  for (const { line, text: entry } of lines(text)) {
    const match = /^([a-z][a-z0-9+.-]*):\/\/([^\s:@/]*):([^\s@/]+)@([^\s/:]+)/i.exec(entry.trim());
    if (!match) continue;
    const [, , rawUser, rawPassword, host] = match as unknown as [string, string, string, string, string];
    const user = safeDecode(rawUser);
    out.push({ line, value: safeDecode(rawPassword), container, field: `${user}@${host.toLowerCase()}`, credential: 'a Git credential', host: host.toLowerCase(), shownPrefix: `${user}:` });
  }
  return out;
}

/** INI profiles of the AWS CLI: the secret key and the session token of each. */
function aws(text: string, container: string): ContextValue[] {
  const out: ContextValue[] = [];
  let profile = 'default';
  for (const { line, text: entry } of lines(text)) {
    const section = /^\s*\[([^\]]+)\]\s*$/.exec(entry);
    if (section) {
      profile = section[1]!.trim();
      continue;
    }
    const setting = /^\s*(aws_secret_access_key|aws_session_token|aws_security_token)\s*=\s*(\S+)\s*$/.exec(entry);
    if (!setting) continue;
    const what = setting[1] === 'aws_secret_access_key' ? 'an AWS secret access key' : 'an AWS session token';
    out.push({ line, value: setting[2]!, container, field: `[${profile}] ${setting[1]}`, credential: what });
  }
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
