import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
function code(value){return`\`${value.replace(/`/g,"'")}\``}export{code};
//# sourceMappingURL=chunk-ZSVG6T54.js.map
