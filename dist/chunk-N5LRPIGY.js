import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{sharedKey}from"./chunk-RRQQHGP4.js";var SIGN_IN_COOKIES=sharedKey("smoke.login-flow","the Set-Cookie lines of the sign-in");export{SIGN_IN_COOKIES};
//# sourceMappingURL=chunk-N5LRPIGY.js.map
