import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-XOQOE2QX.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-AFG5N5LC.js";import"./chunk-V342L7TD.js";var enableCoep=defineRule({id:"config.enable-coep",check:async({settings})=>checkFlagOn(settings.env,"ENABLE_COEP")});export{enableCoep};
//# sourceMappingURL=enable-coep-7NEDRSSH.js.map
