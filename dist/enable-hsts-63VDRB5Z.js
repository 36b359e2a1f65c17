import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-XOQOE2QX.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-AFG5N5LC.js";import"./chunk-V342L7TD.js";var enableHsts=defineRule({id:"config.enable-hsts",check:async({settings})=>checkFlagOn(settings.env,"ENABLE_HSTS")});export{enableHsts};
//# sourceMappingURL=enable-hsts-63VDRB5Z.js.map
