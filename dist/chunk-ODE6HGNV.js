import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
function commonJsExports(namespace){let exported=namespace.default;return exported&&typeof exported=="object"?exported:namespace}export{commonJsExports};
//# sourceMappingURL=chunk-ODE6HGNV.js.map
