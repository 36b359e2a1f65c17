import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-26YHVBNX.js";import"./chunk-PJZPOQGM.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var enableCspStrict=defineRule({id:"config.enable-csp-strict",check:async({settings})=>checkFlagOn(settings.env,"ENABLE_CSP_STRICT")});export{enableCspStrict};
//# sourceMappingURL=enable-csp-strict-3JIIZTK5.js.map
