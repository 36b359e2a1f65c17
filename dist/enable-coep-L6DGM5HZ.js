import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-B6ZGQFPW.js";import"./chunk-PJZPOQGM.js";import"./chunk-HGUAFEWI.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-EPV6C76G.js";import"./chunk-V342L7TD.js";var enableCoep=defineRule({id:"config.enable-coep",check:async({settings})=>checkFlagOn(settings,"ENABLE_COEP")});export{enableCoep};
//# sourceMappingURL=enable-coep-L6DGM5HZ.js.map
