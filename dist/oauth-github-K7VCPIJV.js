import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-SSHC7TO3.js";import"./chunk-EOYAN5AS.js";import"./chunk-KAIRWF4I.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-VOFIMJG4.js";import"./chunk-3PSDBOIF.js";import"./chunk-V342L7TD.js";var oauthGithub=defineRule({id:"config.oauth-github",check:async ctx=>checkProvider(ctx,"github","GitHub")});export{oauthGithub};
//# sourceMappingURL=oauth-github-K7VCPIJV.js.map
