import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-ERHCJQNA.js";import"./chunk-EOYAN5AS.js";import"./chunk-KAIRWF4I.js";import"./chunk-JUBTAEVT.js";import{defineRule}from"./chunk-VOFIMJG4.js";import"./chunk-3PSDBOIF.js";import"./chunk-V342L7TD.js";var enableCspStrict=defineRule({id:"config.enable-csp-strict",check:async({settings})=>checkFlagOn(settings,"ENABLE_CSP_STRICT")});export{enableCspStrict};
//# sourceMappingURL=enable-csp-strict-5USFKCMB.js.map
