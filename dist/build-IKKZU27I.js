import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{runStep}from"./chunk-TCH4WAXS.js";import"./chunk-RRQQHGP4.js";import"./chunk-C5NJH4ZX.js";import{defineRule}from"./chunk-UFEN4XZG.js";import"./chunk-V342L7TD.js";var build=defineRule({id:"gate.build",check:ctx=>runStep(ctx,"build",["gate.install","gate.migrate"])});export{build};
//# sourceMappingURL=build-IKKZU27I.js.map
