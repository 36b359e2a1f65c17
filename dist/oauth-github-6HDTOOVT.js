import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-JI3H3ENR.js";import"./chunk-HGUAFEWI.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-7TX3PVI7.js";import"./chunk-V342L7TD.js";var oauthGithub=defineRule({id:"config.oauth-github",check:async ctx=>checkProvider(ctx,"github","GitHub")});export{oauthGithub};
//# sourceMappingURL=oauth-github-6HDTOOVT.js.map
