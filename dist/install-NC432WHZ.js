import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{runStep}from"./chunk-TCH4WAXS.js";import"./chunk-RRQQHGP4.js";import"./chunk-C5NJH4ZX.js";import{defineRule}from"./chunk-UFEN4XZG.js";import"./chunk-V342L7TD.js";var install=defineRule({id:"gate.install",check:ctx=>runStep(ctx,"install",[])});export{install};
//# sourceMappingURL=install-NC432WHZ.js.map
