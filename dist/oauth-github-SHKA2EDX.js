import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-WBC4OT43.js";import"./chunk-BK4NK3WY.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-F3DA2G5O.js";import"./chunk-V342L7TD.js";var oauthGithub=defineRule({id:"config.oauth-github",check:async ctx=>checkProvider(ctx,"github","GitHub")});export{oauthGithub};
//# sourceMappingURL=oauth-github-SHKA2EDX.js.map
