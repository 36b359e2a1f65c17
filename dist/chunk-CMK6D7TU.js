import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
function splitOutsideQuotes(text,separator){let parts=[],current="",quoted=!1;for(let i=0;i<text.length;i++){let c=text[i];if(quoted&&c==="\\"&&i+1<text.length){current+=c+text[++i];continue}c==='"'&&(quoted=!quoted),c===separator&&!quoted?(parts.push(current),current=""):current+=c}return parts.push(current),parts}export{splitOutsideQuotes};
//# sourceMappingURL=chunk-CMK6D7TU.js.map
