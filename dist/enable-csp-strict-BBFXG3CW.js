import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-XOQOE2QX.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-AFG5N5LC.js";import"./chunk-V342L7TD.js";var enableCspStrict=defineRule({id:"config.enable-csp-strict",check:async({settings})=>checkFlagOn(settings.env,"ENABLE_CSP_STRICT")});export{enableCspStrict};
//# sourceMappingURL=enable-csp-strict-BBFXG3CW.js.map
