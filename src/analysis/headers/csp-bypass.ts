/**
 * The hosts a script allowlist must not name: Google's CSP Evaluator (`csp_evaluator`) keeps the
 * lists of public URLs that serve JSONP endpoints or old AngularJS builds, either of which runs any
 * script an attacker names from a page that allowlists the host (`*.google.com`, `*.gstatic.com`).
 * Its lists and its wildcard matcher are used as they are, rather than a hand-kept copy that would
 * age; they are loaded on first use (security.csp only), so other runs never read them.
 */
import type { BypassLists } from './csp.js';
import { commonJsExports } from '../../util/cjs.js';

let loading: Promise<BypassLists> | undefined;

export function loadBypassLists(): Promise<BypassLists> {
  loading ??= (async () => {
    const [jsonpModule, angularModule, utilsModule] = await Promise.all([
      import('csp_evaluator/dist/allowlist_bypasses/jsonp.js'),
      import('csp_evaluator/dist/allowlist_bypasses/angular.js'),
      import('csp_evaluator/dist/utils.js'),
    ]);
    const jsonp = commonJsExports(jsonpModule);
    const angular = commonJsExports(angularModule);
    const utils = commonJsExports(utilsModule);
    const jsonpUrls = jsonp.URLS;
    const needsEval = new Set(jsonp.NEEDS_EVAL);
    const angularUrls = angular.URLS;
    return {
      match(source: string, unsafeEval: boolean) {
        // CSP Evaluator's own reading of a source: scheme dropped, `//` prefixed.
        const url = `//${utils.getSchemeFreeUrl(source)}`;
        let jsonpHit: URL | null;
        let angularHit: URL | null;
        try {
          jsonpHit = utils.matchWildcardUrls(url, jsonpUrls);
          angularHit = utils.matchWildcardUrls(url, angularUrls);
        } catch {
          return undefined; // not a host source it can read
        }
        // Some JSONP endpoints only help an attacker when eval is allowed too.
        if (jsonpHit && needsEval.has(jsonpHit.hostname) && !unsafeEval) jsonpHit = null;
        if (jsonpHit) return { url: jsonpHit.href, serves: `JSONP (${jsonpHit.pathname})` };
        if (angularHit) return { url: angularHit.href, serves: `AngularJS (${angularHit.pathname})` };
        return undefined;
      },
    };
  })();
  return loading;
}
