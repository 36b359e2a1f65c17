import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
var UsageError=class extends Error{name="UsageError"};function errorMessage(error){if(error instanceof AggregateError&&error.errors.length>0)return error.errors.map(errorMessage).join("; ");if(error instanceof Error){let code=error.code,message=error.message||error.name;return code&&!message.includes(code)?`${message} (${code})`:message}return String(error)}export{UsageError,errorMessage};
//# sourceMappingURL=chunk-UZIPBACM.js.map
