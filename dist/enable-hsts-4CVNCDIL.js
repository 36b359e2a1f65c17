import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-ERHCJQNA.js";import"./chunk-EOYAN5AS.js";import"./chunk-KAIRWF4I.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-VOFIMJG4.js";import"./chunk-3PSDBOIF.js";import"./chunk-V342L7TD.js";var enableHsts=defineRule({id:"config.enable-hsts",check:async({settings})=>checkFlagOn(settings,"ENABLE_HSTS")});export{enableHsts};
//# sourceMappingURL=enable-hsts-4CVNCDIL.js.map
