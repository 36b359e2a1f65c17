/**
 * Signing in to the app as its login page does, with NextAuth v4's REST endpoints:
 *
 *   1. `GET /api/auth/csrf` → `{csrfToken}` and the CSRF cookie (the double-submit pair);
 *   2. `POST /api/auth/callback/credentials`, form-encoded: csrfToken, email, password, callbackUrl,
 *      `json=true` (so NextAuth answers `{url}` instead of a 302; `…?csrf=true` means the CSRF pair
 *      was refused, `…/error?error=…` with 401 that the credentials were);
 *   3. `GET /api/auth/session` → `{user: {email}}` proves the session cookie is accepted.
 *
 * The session lives in a cookie jar; `signOut()` (`POST /api/auth/signout`) ends it, so a smoke run
 * leaves no session behind. Requests are never followed through redirects: a redirect is itself the
 * finding (the login page means the session was not accepted). No password or cookie value is ever
 * put in a step's text.
 */
import { parseSetCookie } from '../../probes/cookies.js';
import type { HttpClient, ProbeResponse } from '../../probes/http.js';
import { isNoAnswer } from '../../probes/target.js';
import { Budget, describeAnswer, loginRedirect, loginRedirectText, parseJson, probeErrorText } from './app-probe.js';
import { CookieJar } from './cookie-jar.js';

export const NEXTAUTH_BASE = '/api/auth';

export interface AccountCredentials {
  email: string;
  /** The variable the password came from (named in messages). */
  passwordEnv: string;
  password: string;
}

export interface AppRequest {
  method?: string;
  /** Sent as `application/json`. */
  json?: unknown;
  /** Sent as `application/x-www-form-urlencoded`. */
  form?: Record<string, string>;
  /** Time to leave for the steps after this one (see Budget). */
  reserveMs?: number;
}

/** A browser-like visitor of the app: a cookie jar, the run's HTTP client, one time budget. */
export class AppVisitor {
  readonly jar = new CookieJar();
  /** One line per request made, for the report's details. */
  readonly steps: string[] = [];
  signedIn = false;
  /** The Set-Cookie headers of the sign-in answer, values masked: security.cookies judges them. */
  signInCookies: string[] = [];
  /** Where NextAuth sends the user after a successful sign-in (built from the deployment's NEXTAUTH_URL). */
  landing?: URL;
  /** A request got no answer at all (refused, timed out, no DNS): what failed could not be checked. */
  noAnswer = false;
  private csrfToken?: string;
  /** The credentials callback accepted the account: there may be a session to end. */
  private sessionStarted = false;

  constructor(
    private readonly http: HttpClient,
    readonly origin: URL,
    readonly loginPath: string,
    readonly budget: Budget,
    private readonly signal?: AbortSignal,
  ) {}

  url(path: string): string {
    return new URL(path, this.origin).toString();
  }

  /** One request with the jar's cookies; the answer's cookies go back into the jar. Throws ProbeError. */
  async request(path: string, req: AppRequest = {}): Promise<ProbeResponse> {
    const url = this.url(path);
    const headers: Record<string, string> = {};
    let body: string | undefined;
    if (req.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(req.json);
    } else if (req.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(req.form).toString();
    }
    const cookie = this.jar.header(url);
    if (cookie) headers.cookie = cookie;
    let response: ProbeResponse;
    try {
      response = await this.http.request({ url, method: req.method ?? 'GET', headers, body, timeoutMs: this.budget.timeout(req.reserveMs) }, this.signal);
    } catch (error) {
      if (isNoAnswer(error)) this.noAnswer = true;
      throw error;
    }
    this.jar.store(url, response.cookies);
    return response;
  }

  /** A step line: `POST /api/teams → 200, created "x"`. */
  note(method: string, path: string, text: string): void {
    this.steps.push(`${method} ${path} → ${text}`);
  }

  /** What a redirect to the login page means for this visitor, when the answer is one. */
  loginRedirectText(response: ProbeResponse): string | undefined {
    const location = loginRedirect(response, this.loginPath);
    return location ? loginRedirectText(location, this.signedIn) : undefined;
  }

  /**
   * Signs in with the credentials provider and checks the session. Resolves to undefined when
   * signed in, else to what went wrong (one line; `steps` has the evidence).
   */
  async signIn(account: AccountCredentials, reserveMs = 0): Promise<string | undefined> {
    const csrfPath = `${NEXTAUTH_BASE}/csrf`;
    const callbackPath = `${NEXTAUTH_BASE}/callback/credentials`;
    const sessionPath = `${NEXTAUTH_BASE}/session`;
    try {
      // 1. The CSRF token and its cookie.
      const csrf = await this.request(csrfPath, { reserveMs });
      const token = (parseJson(csrf.body) as { csrfToken?: unknown } | undefined)?.csrfToken;
      if (csrf.status !== 200 || typeof token !== 'string' || !token) {
        const why = this.loginRedirectText(csrf) ?? `${describeAnswer(csrf)}, no csrfToken in the answer`;
        this.note('GET', csrfPath, why);
        return `GET ${csrfPath} ${why}`;
      }
      this.csrfToken = token;
      this.note('GET', csrfPath, `${csrf.status}, CSRF token received${csrf.cookies.length ? ` (cookies: ${this.jar.names().join(', ')})` : ', but no cookie was set'}`);

      // 2. The credentials sign-in.
      const signIn = await this.request(callbackPath, {
        method: 'POST',
        form: { csrfToken: token, email: account.email, password: account.password, callbackUrl: this.url('/'), json: 'true' },
        reserveMs,
      });
      const refused = this.signInRefusal(signIn, account);
      if (refused) {
        this.note('POST', callbackPath, refused);
        return `POST ${callbackPath} ${refused}`;
      }
      this.sessionStarted = true;
      this.signInCookies = signIn.cookies.map((line) => parseSetCookie(line).shown);
      this.note('POST', callbackPath, `${signIn.status}, credentials accepted${signIn.cookies.length ? '' : ' (no cookie set)'}`);

      // 3. The session the app sees.
      this.signedIn = true;
      const session = await this.request(sessionPath, { reserveMs });
      const email = (parseJson(session.body) as { user?: { email?: unknown } } | undefined)?.user?.email;
      if (session.status !== 200 || typeof email !== 'string') {
        const rejected = this.jar.rejected.map((r) => `${r.name} (${r.reason})`);
        const why =
          session.status === 200
            ? `200 without a user: the app did not accept the session cookie${rejected.length ? `; refused as a browser would: ${rejected.join(', ')}` : ''} (cookies held: ${this.jar.names().join(', ') || 'none'})`
            : (this.loginRedirectText(session) ?? describeAnswer(session));
        this.signedIn = false;
        this.note('GET', sessionPath, why);
        return `GET ${sessionPath} ${why}`;
      }
      if (email.toLowerCase() !== account.email.toLowerCase()) {
        this.note('GET', sessionPath, `200, but the session is ${email}'s`);
        return `GET ${sessionPath} shows ${email}, not ${account.email}`;
      }
      this.note('GET', sessionPath, `200, signed in as ${email}`);
      return undefined;
    } catch (error) {
      this.signedIn = false;
      const text = probeErrorText(error);
      this.steps.push(text);
      return text;
    }
  }

  /** Why the sign-in answer is not a success, or undefined when it is one. */
  private signInRefusal(response: ProbeResponse, account: AccountCredentials): string | undefined {
    if (response.status >= 500) return `${describeAnswer(response)}: the sign-in failed on the server`;
    const json = parseJson(response.body) as { url?: unknown } | undefined;
    const target = typeof json?.url === 'string' ? json.url : response.headers.location;
    if (!target) return `${describeAnswer(response)}, neither {url} nor a redirect: not NextAuth's credentials callback`;
    let url: URL;
    try {
      url = new URL(target, this.origin);
    } catch {
      return `${response.status}, to an unusable URL`;
    }
    if (url.pathname === this.loginPath || url.pathname === `${this.loginPath}/`) {
      // The middleware (a 3xx with callbackUrl) or the app's sign-in page instead of a session.
      const toLogin = this.loginRedirectText(response);
      if (toLogin && !url.searchParams.has('error')) return toLogin;
    }
    if (url.searchParams.get('csrf') === 'true') {
      return `${response.status}, the CSRF token was refused (→ ${url.pathname}?csrf=true): the CSRF cookie did not come back or does not match`;
    }
    this.landing = url;
    const error = url.searchParams.get('error');
    if (error || response.status === 401) {
      return `${response.status}, the credentials were refused (error=${error ?? 'none'}): check that ${account.email} exists in production with the password in ${account.passwordEnv}`;
    }
    if (response.status >= 400) return `${describeAnswer(response)}: not a sign-in`;
    return undefined;
  }

  /** Ends the session (`POST /api/auth/signout`). Resolves to undefined, or what went wrong. */
  async signOut(): Promise<string | undefined> {
    if (!this.csrfToken || !this.sessionStarted) return undefined;
    const path = `${NEXTAUTH_BASE}/signout`;
    try {
      const response = await this.request(path, { method: 'POST', form: { csrfToken: this.csrfToken, callbackUrl: this.url('/'), json: 'true' } });
      const json = parseJson(response.body) as { url?: unknown } | undefined;
      const target = typeof json?.url === 'string' ? json.url : (response.headers.location ?? '');
      if (response.status >= 400 || target.includes('csrf=true')) {
        const why = `${describeAnswer(response)}${target.includes('csrf=true') ? ' (CSRF token refused)' : ''}: the session was not ended`;
        this.note('POST', path, why);
        return `POST ${path} ${why}`;
      }
      this.signedIn = false;
      this.sessionStarted = false;
      this.note('POST', path, `${response.status}, signed out`);
      return undefined;
    } catch (error) {
      const text = probeErrorText(error);
      this.steps.push(`signing out: ${text}`);
      return `signing out: ${text}`;
    }
  }
}
