import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-ZMEQVP4Y.js";import"./chunk-5DMNHLXM.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-7GPL67T6.js";import"./chunk-V342L7TD.js";var oauthGoogle=defineRule({id:"config.oauth-google",check:async ctx=>checkProvider(ctx,"google","Google",id=>id.name&&id.value.endsWith(".apps.googleusercontent.com")?void 0:`${id.name} does not end in .apps.googleusercontent.com`)});export{oauthGoogle};
//# sourceMappingURL=oauth-google-ARHWIWVK.js.map
