import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-ERHCJQNA.js";import"./chunk-EOYAN5AS.js";import"./chunk-KAIRWF4I.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-VOFIMJG4.js";import"./chunk-3PSDBOIF.js";import"./chunk-V342L7TD.js";var enableCoep=defineRule({id:"config.enable-coep",check:async({settings})=>checkFlagOn(settings,"ENABLE_COEP")});export{enableCoep};
//# sourceMappingURL=enable-coep-353V6HRU.js.map
