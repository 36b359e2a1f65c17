import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{runStep}from"./chunk-WEPJEYEY.js";import"./chunk-RRQQHGP4.js";import"./chunk-C5NJH4ZX.js";import{defineRule}from"./chunk-PSUNHCTO.js";import"./chunk-V342L7TD.js";var build=defineRule({id:"gate.build",check:ctx=>runStep(ctx,"build",["gate.install","gate.migrate"])});export{build};
//# sourceMappingURL=build-3UEDQEF3.js.map
