import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkPublicHttpsUrl}from"./chunk-DG2PFWEV.js";import"./chunk-KLCPQELN.js";import{defineRule}from"./chunk-GE3MUSNZ.js";import"./chunk-V342L7TD.js";var appUrl=defineRule({id:"config.app-url",async check({settings}){let url=checkPublicHttpsUrl("APP_URL",settings.env.APP_URL);return url instanceof URL?{status:"pass",summary:`APP_URL is ${url.origin}`}:url}});export{appUrl};
//# sourceMappingURL=app-url-EPTTWZ6X.js.map
