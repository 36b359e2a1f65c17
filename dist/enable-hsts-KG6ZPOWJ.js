import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-PLCF36Q6.js";import"./chunk-BK4NK3WY.js";import"./chunk-PJZPOQGM.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-F3DA2G5O.js";import"./chunk-V342L7TD.js";var enableHsts=defineRule({id:"config.enable-hsts",check:async({settings})=>checkFlagOn(settings,"ENABLE_HSTS")});export{enableHsts};
//# sourceMappingURL=enable-hsts-KG6ZPOWJ.js.map
