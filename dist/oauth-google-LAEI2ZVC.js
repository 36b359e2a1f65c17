import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkProvider}from"./chunk-FBR33G55.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var oauthGoogle=defineRule({id:"config.oauth-google",check:async ctx=>checkProvider(ctx,"google","Google",id=>id.endsWith(".apps.googleusercontent.com")?void 0:"GOOGLE_CLIENT_ID does not end in .apps.googleusercontent.com")});export{oauthGoogle};
//# sourceMappingURL=oauth-google-LAEI2ZVC.js.map
