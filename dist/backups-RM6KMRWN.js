import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
<<<<<<<< HEAD:dist/backups-RM6KMRWN.js
import{defineRule}from"./chunk-VOFIMJG4.js";import"./chunk-V342L7TD.js";var DAY_MS=864e5,backups=defineRule({id:"security.backups",async check({settings}){let attested=settings.config.operations?.backups,example=`operations:
========
import{defineRule}from"./chunk-AFG5N5LC.js";import"./chunk-V342L7TD.js";var DAY_MS=864e5,backups=defineRule({id:"security.backups",async check({settings}){let attested=settings.config.operations?.backups,example=`operations:
>>>>>>>> main:dist/backups-4LGODIEW.js
  backups:
    last-restore-test: 2026-10-12
    evidence: https://wiki.example.com/restore-test-2026-10
    max-age-days: 90`;if(!attested)return{status:"fail",summary:"no backup policy is attested: the config has no operations.backups",details:"The gate cannot see backups; it records what the team attests. Add to the config file:\n\n```yaml\n"+example+"\n```",fix:"Test a restore of the production backup, write down the evidence, and attest it in the config file (operations.backups)."};let tested=new Date(`${attested["last-restore-test"]}T00:00:00Z`),age=Math.floor((Date.now()-tested.getTime())/DAY_MS),limit=attested["max-age-days"],data={lastRestoreTest:attested["last-restore-test"],ageDays:age,maxAgeDays:limit,evidence:attested.evidence};return age<0?{status:"fail",summary:`the attested restore test is dated in the future (${attested["last-restore-test"]})`,fix:"Fix operations.backups.last-restore-test: the date the restore test happened.",data}:age>limit?{status:"fail",summary:`the attested restore test is ${age} days old (${attested["last-restore-test"]}), older than max-age-days ${limit}`,fix:"Run a restore test again (restore the latest backup into a scratch database and check it), then update operations.backups.",data}:{status:"pass",summary:`attested: restore tested on ${attested["last-restore-test"]} (${age} days ago, within ${limit}); evidence: ${attested.evidence}`,details:"Attested by the team in the config file. The gate has not verified the backup itself.",data}}});export{backups};
<<<<<<<< HEAD:dist/backups-RM6KMRWN.js
//# sourceMappingURL=backups-RM6KMRWN.js.map
========
//# sourceMappingURL=backups-4LGODIEW.js.map
>>>>>>>> main:dist/backups-4LGODIEW.js
