import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-IZH4PX4Q.js";import"./chunk-5DMNHLXM.js";import"./chunk-PJZPOQGM.js";import"./chunk-DCY5KEZQ.js";import{defineRule}from"./chunk-7GPL67T6.js";import"./chunk-V342L7TD.js";var enableCoep=defineRule({id:"config.enable-coep",check:async({settings})=>checkFlagOn(settings,"ENABLE_COEP")});export{enableCoep};
//# sourceMappingURL=enable-coep-XUZFWREJ.js.map
