import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-IZH4PX4Q.js";import"./chunk-5DMNHLXM.js";import"./chunk-PJZPOQGM.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-7GPL67T6.js";import"./chunk-V342L7TD.js";var enableHsts=defineRule({id:"config.enable-hsts",check:async({settings})=>checkFlagOn(settings,"ENABLE_HSTS")});export{enableHsts};
//# sourceMappingURL=enable-hsts-FNJUL35B.js.map
