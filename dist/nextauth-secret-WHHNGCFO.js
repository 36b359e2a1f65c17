import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkStrongUniqueSecret}from"./chunk-UQNRUADJ.js";import"./chunk-NJWLGGMN.js";import"./chunk-KHCAD6YA.js";import"./chunk-PJZPOQGM.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var nextauthSecret=defineRule({id:"config.nextauth-secret",check:({settings})=>checkStrongUniqueSecret(settings,"NEXTAUTH_SECRET","openssl rand -base64 32")});export{nextauthSecret};
//# sourceMappingURL=nextauth-secret-WHHNGCFO.js.map
