import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{runStep}from"./chunk-T4AGBNI4.js";import"./chunk-RRQQHGP4.js";import"./chunk-XE3HQRZF.js";import{defineRule}from"./chunk-7GPL67T6.js";import"./chunk-V342L7TD.js";var install=defineRule({id:"gate.install",check:ctx=>runStep(ctx,"install",[])});export{install};
//# sourceMappingURL=install-2BXWZYR5.js.map
