import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-I2B2DZOI.js";import"./chunk-KEXF37F4.js";import"./chunk-ZC5IUTYO.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-63SN6IRE.js";import"./chunk-3PSDBOIF.js";import"./chunk-V342L7TD.js";var enableCoep=defineRule({id:"config.enable-coep",check:async({settings})=>checkFlagOn(settings,"ENABLE_COEP")});export{enableCoep};
//# sourceMappingURL=enable-coep-HWTBQ756.js.map
