import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-ONLBGBS3.js";import"./chunk-KEXF37F4.js";import"./chunk-ZC5IUTYO.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-63SN6IRE.js";import"./chunk-3PSDBOIF.js";import"./chunk-V342L7TD.js";var oauthGithub=defineRule({id:"config.oauth-github",check:async ctx=>checkProvider(ctx,"github","GitHub")});export{oauthGithub};
//# sourceMappingURL=oauth-github-MEXW7RTP.js.map
