import{createRequire as r}from"node:module";const i=r(import.meta.url);import{require_dist as e}from"./chunk-A46CEZQO.js";import"./chunk-V342L7TD.js";var p=e();export{p as default};
//# sourceMappingURL=dist-RUAMXYGT.js.map
