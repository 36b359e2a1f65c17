import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkStrongUniqueSecret}from"./chunk-UQNRUADJ.js";import"./chunk-NJWLGGMN.js";import"./chunk-KHCAD6YA.js";import"./chunk-PJZPOQGM.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var stripeSyncSecret=defineRule({id:"config.stripe-sync-secret",check:({settings})=>checkStrongUniqueSecret(settings,"STRIPE_SYNC_SECRET","openssl rand -hex 32")});export{stripeSyncSecret};
//# sourceMappingURL=stripe-sync-secret-2462VW2I.js.map
