import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{Repository,jsonKeyLines,keyPath,lineIndex,readPackageScripts,tomlKeyLines}from"./chunk-PRBE2K7V.js";import"./chunk-3PSDBOIF.js";import"./chunk-A46CEZQO.js";import"./chunk-V342L7TD.js";export{Repository,jsonKeyLines,keyPath,lineIndex,readPackageScripts,tomlKeyLines};
//# sourceMappingURL=repository-2RCDNIWI.js.map
