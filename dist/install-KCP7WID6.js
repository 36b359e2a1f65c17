import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{runStep}from"./chunk-GQYH6RBA.js";import"./chunk-RRQQHGP4.js";import"./chunk-C5NJH4ZX.js";import{defineRule}from"./chunk-7IASWH52.js";import"./chunk-V342L7TD.js";var install=defineRule({id:"gate.install",check:ctx=>runStep(ctx,"install",[])});export{install};
//# sourceMappingURL=install-KCP7WID6.js.map
