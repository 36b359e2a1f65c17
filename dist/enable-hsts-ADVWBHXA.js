import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-I2B2DZOI.js";import"./chunk-KEXF37F4.js";import"./chunk-ZC5IUTYO.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-63SN6IRE.js";import"./chunk-3PSDBOIF.js";import"./chunk-V342L7TD.js";var enableHsts=defineRule({id:"config.enable-hsts",check:async({settings})=>checkFlagOn(settings,"ENABLE_HSTS")});export{enableHsts};
//# sourceMappingURL=enable-hsts-ADVWBHXA.js.map
