import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-PLCF36Q6.js";import"./chunk-BK4NK3WY.js";import"./chunk-PJZPOQGM.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-F3DA2G5O.js";import"./chunk-V342L7TD.js";var enableCspStrict=defineRule({id:"config.enable-csp-strict",check:async({settings})=>checkFlagOn(settings,"ENABLE_CSP_STRICT")});export{enableCspStrict};
//# sourceMappingURL=enable-csp-strict-QYNYLVWY.js.map
