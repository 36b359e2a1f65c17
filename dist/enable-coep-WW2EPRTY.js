import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-26YHVBNX.js";import"./chunk-PJZPOQGM.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var enableCoep=defineRule({id:"config.enable-coep",check:async({settings})=>checkFlagOn(settings.env,"ENABLE_COEP")});export{enableCoep};
//# sourceMappingURL=enable-coep-WW2EPRTY.js.map
