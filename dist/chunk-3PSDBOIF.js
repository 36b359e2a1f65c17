import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
function lineStarts(data){let starts=[0];if(typeof data=="string")for(let nl=data.indexOf(`
`);nl!==-1;nl=data.indexOf(`
`,nl+1))starts.push(nl+1);else for(let nl=data.indexOf(10);nl!==-1;nl=data.indexOf(10,nl+1))starts.push(nl+1);return starts}function lineOfOffset(starts,offset){let lo=0,hi=starts.length-1;for(;lo<hi;){let mid=lo+hi+1>>1;starts[mid]<=offset?lo=mid:hi=mid-1}return lo+1}export{lineStarts,lineOfOffset};
//# sourceMappingURL=chunk-3PSDBOIF.js.map
