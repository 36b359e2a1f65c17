/**
 * config.nextauth-trust-host: a request that names another host cannot steer the URLs NextAuth
 * builds, as the installed next-auth / Auth.js version decides it from the variables
 * (src/analysis/app/host-trust.ts has each version's rule and the source lines it follows).
 * NEXTAUTH_TRUST_HOST keeps the guide's `false` even where the installed version ignores it, in an
 * app that reads it (the guide's app passes it as `trustHost`); an app that does not read it (the app
 * model says so) is judged by what its library and its own `trustHost` read.
 */
import { defineRule } from '../index.js';
import { hostTrustOf } from '../../analysis/app/host-trust.js';
import { hostTrustOptions } from '../app.js';

export const nextauthTrustHost = defineRule({
  id: 'config.nextauth-trust-host',
  async check({ settings }) {
    const { library, lockfile, noAuthLibrary, option, assessment } = await hostTrustOf(settings.workingDirectory, settings.env, hostTrustOptions(settings));
    if (noAuthLibrary) {
      return { status: 'skip', summary: `the app installs neither next-auth nor @auth/core (${lockfile?.file ?? 'its lockfile'}): NextAuth's host trust does not apply` };
    }
    const { trust } = assessment;
    const data = {
      library: library ? { package: library.package, version: library.version, source: library.source } : null,
      rule: assessment.known ? trust.rule : null,
      trustOn: assessment.known ? trust.trustOn : null,
      decidedBy: assessment.known ? trust.decidedBy.name : null,
      reflects: assessment.candidates.some((t) => t.reflects),
      trustHostOption: option ? { value: option.value, where: option.where } : null,
    };
    const details = [
      library ? `Installed: ${library.package} ${library.version} (${library.source}).` : `Installed version unknown: ${lockfile?.error ?? 'no lockfile and no node_modules/next-auth in the working directory'}.`,
      option ? `The app passes trustHost: ${option.value} (\`${option.expression}\`, ${option.where}).` : 'The app passes no trustHost option.',
      ...assessment.candidates.map((t) => `- ${t.library}: ${t.reason} (${t.source}).`),
    ].join('\n');
    if (assessment.verdict === 'fail') return { status: 'fail', summary: assessment.summary, details, fix: assessment.fix, data };
    if (assessment.verdict === 'notice') {
      return { status: 'pass', summary: assessment.summary, details, data, findings: [{ level: 'notice', message: assessment.summary }] };
    }
    return { status: 'pass', summary: assessment.summary, details, data };
  },
});
