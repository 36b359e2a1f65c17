import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{runStep}from"./chunk-T4AGBNI4.js";import"./chunk-RRQQHGP4.js";import"./chunk-XE3HQRZF.js";import{defineRule}from"./chunk-K7P6KCWS.js";import"./chunk-V342L7TD.js";var install=defineRule({id:"gate.install",check:ctx=>runStep(ctx,"install",[])});export{install};
//# sourceMappingURL=install-SWPV2ICB.js.map
