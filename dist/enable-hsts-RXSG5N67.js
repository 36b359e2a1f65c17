import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-MUX3HRHJ.js";import"./chunk-HGUAFEWI.js";import"./chunk-PJZPOQGM.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-7TX3PVI7.js";import"./chunk-V342L7TD.js";var enableHsts=defineRule({id:"config.enable-hsts",check:async({settings})=>checkFlagOn(settings,"ENABLE_HSTS")});export{enableHsts};
//# sourceMappingURL=enable-hsts-RXSG5N67.js.map
