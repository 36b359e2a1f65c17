import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkFlagOn}from"./chunk-26YHVBNX.js";import"./chunk-PJZPOQGM.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var enableHsts=defineRule({id:"config.enable-hsts",check:async({settings})=>checkFlagOn(settings.env,"ENABLE_HSTS")});export{enableHsts};
//# sourceMappingURL=enable-hsts-U7QQKHLI.js.map
