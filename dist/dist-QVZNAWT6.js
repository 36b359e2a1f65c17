import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{require_dist}from"./chunk-GNDZEHRS.js";import"./chunk-AANQSL2C.js";export default require_dist();
//# sourceMappingURL=dist-QVZNAWT6.js.map
