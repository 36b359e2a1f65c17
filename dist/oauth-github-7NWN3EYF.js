import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-FBR33G55.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var oauthGithub=defineRule({id:"config.oauth-github",check:async ctx=>checkProvider(ctx,"github","GitHub")});export{oauthGithub};
//# sourceMappingURL=oauth-github-7NWN3EYF.js.map
