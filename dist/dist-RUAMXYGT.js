import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{require_dist}from"./chunk-A46CEZQO.js";import"./chunk-V342L7TD.js";export default require_dist();
//# sourceMappingURL=dist-RUAMXYGT.js.map
