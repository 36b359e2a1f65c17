#!/usr/bin/env node
import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{runGate,validateSelection,workflowSafeText}from"../chunk-SJXNQSS6.js";import{renderConsole,renderJson,renderSarif}from"../chunk-M5BMHVCW.js";import{INPUTS,loadSettings}from"../chunk-NOEGSF56.js";import"../chunk-ODE6HGNV.js";import"../chunk-UBZLZHG2.js";import"../chunk-ASOXR2WW.js";import{VERSION}from"../chunk-ZK7YV5FM.js";import{UsageError,errorMessage}from"../chunk-UZIPBACM.js";import"../chunk-RRQQHGP4.js";import"../chunk-QTFT5TH3.js";import"../chunk-NN43QIO3.js";import"../chunk-4BRZJA7T.js";import"../chunk-C5NJH4ZX.js";import"../chunk-KHCAD6YA.js";import{Redactor}from"../chunk-EZFTYQ2I.js";import"../chunk-KAIRWF4I.js";import{APP_VARIABLES,SECRET_VARIABLES}from"../chunk-JUBTAEVT.js";import"../chunk-VOFIMJG4.js";import"../chunk-3PSDBOIF.js";import"../chunk-V342L7TD.js";import{isMainThread}from"node:worker_threads";import{mkdir,writeFile}from"node:fs/promises";import{dirname}from"node:path";import{parseArgs}from"node:util";var NOT_FLAGS=new Set(["github-token","pr-comment","env-file"]),HELP=`Usage: production-readiness-gate [options]

Checks whether a Next.js + NextAuth + Prisma + Stripe + Sentry app may go live.
The app's variables (APP_URL, DATABASE_URL, NEXTAUTH_SECRET, STRIPE_SECRET_KEY, \u2026) are read from the
environment and from --dotenv.

  --dotenv FILE            a dotenv file with the app's variables (the action's env-file input);
                           variables already in the environment win
  --run-commands           run the build gate's install and build commands (read-only otherwise:
                           no command runs unless asked)
  --migrate true           also run the migrate command: it changes the database in DATABASE_URL

Options that mirror the action's inputs:
${INPUTS.filter(i=>!NOT_FLAGS.has(i.name)).map(i=>`  --${i.name.padEnd(22)} ${i.description}${i.default?` [${i.default}]`:""}`).join(`
`)}
  --json                   print the JSON report instead of the console report
  --verbose                show progress, command output and passing rules' details
  --no-color               plain output even on a terminal
  -h, --help, --version

Examples:
  production-readiness-gate --dotenv .env.production --checks config
  production-readiness-gate --dotenv .env.production --checks config,security --sarif-path readiness.sarif
  production-readiness-gate --dotenv .env.production --checks gate --run-commands

Exit code: 0 ready, 1 not ready, 2 usage or config error.
`;async function cli(raw){let io={...raw,stdout:{write:text=>raw.stdout.write(raw.stdout.isTTY?text:workflowSafeText(text)),isTTY:raw.stdout.isTTY},stderr:{write:text=>raw.stderr.write(workflowSafeText(text))}};if(io.argv.some(a=>a==="--env-file"||a.startsWith("--env-file=")))return io.stderr.write(`production-readiness-gate: --env-file is an option of Node itself; give the dotenv file with --dotenv FILE
`),2;let options={dotenv:{type:"string"},"run-commands":{type:"boolean"},json:{type:"boolean"},verbose:{type:"boolean"},"no-color":{type:"boolean"},help:{type:"boolean",short:"h"},version:{type:"boolean"}};for(let spec of INPUTS)NOT_FLAGS.has(spec.name)||(options[spec.name]={type:"string"});options.resolve={type:"string",multiple:!0};let values;try{let parsed=parseArgs({args:io.argv,options,allowPositionals:!1,strict:!0}).values;values=Object.fromEntries(Object.entries(parsed).map(([k,v])=>[k,Array.isArray(v)?v.join(`
`):v]))}catch(error){return io.stderr.write(`production-readiness-gate: ${errorMessage(error)}
Run with --help for the options.
`),2}if(values.help)return io.stdout.write(HELP),0;if(values.version)return io.stdout.write(`${VERSION}
`),0;let inputs={};for(let spec of INPUTS){let value=values[spec.name];typeof value=="string"&&!NOT_FLAGS.has(spec.name)&&(inputs[spec.name]=value)}typeof values.dotenv=="string"&&(inputs["env-file"]=values.dotenv),inputs["pr-comment"]="false",inputs["github-token"]="";let readOnly=readOnlyDefaults(inputs,values["run-commands"]===!0),redactor=new Redactor([...INPUTS.filter(i=>i.secret).map(i=>inputs[i.name]),...SECRET_VARIABLES.map(name=>io.env[name])]),notes=values.json?io.stderr:io.stdout;try{let settings=await loadSettings({inputs,env:io.env,cwd:io.cwd}).catch(error=>{throw error instanceof UsageError&&error.message.startsWith("env-file:")?new UsageError(`--dotenv${error.message.slice(8)}`):error});redactor=new Redactor(settings.secrets);let selected=validateSelection(settings);[...APP_VARIABLES,...Object.keys(settings.app.variables.read)].some(name=>settings.env[name])||io.stderr.write(noVariablesHint(settings));let color=!!io.stdout.isTTY&&!values["no-color"]&&!io.env.NO_COLOR,report=await runGate(settings,{log:{info:m=>{values.verbose&&io.stderr.write(`${redactor.redact(m)}
`)},output:line=>{values.verbose&&raw.stderr.write(`${redactor.redact(line)}
`)},group:async(name,fn)=>(values.verbose&&io.stderr.write(`\u25B8 ${redactor.redact(name)}
`),fn())}}),written=[];settings.reportPath&&(await writeOut(settings.reportPath,renderJson(report,{redactor}),"report-path"),written.push(`JSON report: ${settings.reportPath}`)),settings.sarifPath&&(await writeOut(settings.sarifPath,renderSarif(report,{redactor,toolVersion:VERSION}),"sarif-path"),written.push(`SARIF:       ${settings.sarifPath}`)),io.stdout.write(values.json?renderJson(report,{redactor}):renderConsole(report,{redactor,color,verbose:!!values.verbose}));let skipped=readOnlyNote(report,readOnly,selected.map(r=>r.meta.id));return skipped&&notes.write(skipped),written.length&&notes.write(`${written.join(`
`)}
`),report.ready?0:1}catch(error){let message=redactor.redact(errorMessage(error));return error instanceof UsageError?(io.stderr.write(`production-readiness-gate: ${message}
`),2):(io.stderr.write(`production-readiness-gate stopped: ${message}
`),2)}}function readOnlyDefaults(inputs,runCommands){let left=[];for(let name of["install-command","build-command"])inputs[name]===void 0&&!runCommands&&(inputs[name]="",left.push(name==="install-command"?"gate.install":"gate.build"));return inputs.migrate===void 0&&(inputs.migrate="false",left.push("gate.migrate")),left}function readOnlyNote(report,leftOut,selected){let skipped=leftOut.filter(id=>selected.includes(id)&&report.rules.find(r=>r.id===id)?.status==="skip");if(skipped.length===0)return"";let how=[skipped.some(id=>id!=="gate.migrate")?"--run-commands runs the install and build commands":"",skipped.includes("gate.migrate")?"--migrate true also runs the migrate command against DATABASE_URL":""].filter(Boolean);return`Read-only run: ${skipped.join(", ")} not run (the command line runs no command unless asked); ${how.join("; ")}.
`}function noVariablesHint(settings){let where=settings.envFile?`the environment nor ${settings.envFile}`:"the environment (and no --dotenv file was given)",roles=settings.app.variables.roles,names=[roles.appUrl?.name??"APP_URL",roles.databaseUrl?.name??"DATABASE_URL",roles.authSecret?.name??"NEXTAUTH_SECRET",roles.stripeSecretKey?.name].filter(Boolean);return`production-readiness-gate: no app variable found in ${where}: the config rules will fail and the live checks have no ${names[0]} to probe. Give the app's variables (${names.join(", ")}, \u2026) with --dotenv .env.production, or export them.
`}async function writeOut(path,text,input){try{await mkdir(dirname(path),{recursive:!0}),await writeFile(path,text)}catch(error){throw new UsageError(`${input}: cannot write ${path} (${errorMessage(error)})`)}}if(isMainThread){let code=await cli({argv:process.argv.slice(2),env:process.env,cwd:process.cwd(),stdout:process.stdout,stderr:process.stderr});process.exitCode=code,setTimeout(()=>process.exit(code),2e3).unref()}
//# sourceMappingURL=index.js.map
