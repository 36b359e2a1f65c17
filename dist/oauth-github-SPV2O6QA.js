import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-ZMEQVP4Y.js";import"./chunk-5DMNHLXM.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-7GPL67T6.js";import"./chunk-V342L7TD.js";var oauthGithub=defineRule({id:"config.oauth-github",check:async ctx=>checkProvider(ctx,"github","GitHub")});export{oauthGithub};
//# sourceMappingURL=oauth-github-SPV2O6QA.js.map
