import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkStrongUniqueSecret}from"./chunk-HUY2TJNX.js";import"./chunk-NJWLGGMN.js";import"./chunk-KHCAD6YA.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-AFG5N5LC.js";import"./chunk-V342L7TD.js";var nextauthSecret=defineRule({id:"config.nextauth-secret",check:({settings})=>checkStrongUniqueSecret(settings,"NEXTAUTH_SECRET","openssl rand -base64 32")});export{nextauthSecret};
//# sourceMappingURL=nextauth-secret-DQ7ZIGIT.js.map
