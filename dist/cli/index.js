#!/usr/bin/env node
import { createRequire as __prgRequire } from 'node:module'; const require = __prgRequire(import.meta.url);
import{checkOutputTargets,configurationErrorReport,runGate,validateSelection,workflowSafeText,writeRegularFile}from"../chunk-2QWW5ZDF.js";import{renderConsole,renderJson,renderSarif}from"../chunk-JHLSIVKZ.js";import"../chunk-MDRWGAVN.js";import{INPUTS,loadSettings,outputPaths}from"../chunk-PN2ZII4L.js";import"../chunk-VXWE4VDI.js";import"../chunk-ODE6HGNV.js";import"../chunk-ODDEH3LY.js";import"../chunk-CMTTKI2E.js";import"../chunk-TCJUDGLJ.js";import{VERSION}from"../chunk-YGFIGE6S.js";import{UsageError,errorMessage}from"../chunk-UZIPBACM.js";import{APP_VARIABLES,SECRET_VARIABLES}from"../chunk-PJZPOQGM.js";import"../chunk-RRQQHGP4.js";import"../chunk-MAZDLYG4.js";import"../chunk-TIPEOLQY.js";import"../chunk-EKCK73KD.js";import"../chunk-XE3HQRZF.js";import"../chunk-KHCAD6YA.js";import{Redactor}from"../chunk-2S4CUF7R.js";import"../chunk-DCY5KEZQ.js";import"../chunk-7GPL67T6.js";import"../chunk-V342L7TD.js";import{isMainThread}from"node:worker_threads";import{parseArgs}from"node:util";var NOT_FLAGS=new Set(["github-token","pr-comment","env-file"]),HELP=`Usage: production-readiness-gate [options]

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
`),0;let inputs={};for(let spec of INPUTS){let value=values[spec.name];typeof value=="string"&&!NOT_FLAGS.has(spec.name)&&(inputs[spec.name]=value)}typeof values.dotenv=="string"&&(inputs["env-file"]=values.dotenv),inputs["pr-comment"]="false",inputs["github-token"]="";let readOnly=readOnlyDefaults(inputs,values["run-commands"]===!0),redactor=new Redactor([...INPUTS.filter(i=>i.secret).map(i=>inputs[i.name]),...SECRET_VARIABLES.map(name=>io.env[name])]),notes=values.json?io.stderr:io.stdout,started=new Date,targets=checkOutputTargets(outputPaths(inputs,{},io.cwd),{});try{if(targets.problems.length>0)throw targets.problems[0];let settings=await loadSettings({inputs,env:io.env,cwd:io.cwd}).catch(error=>{throw error instanceof UsageError&&error.message.startsWith("env-file:")?new UsageError(`--dotenv${error.message.slice(8)}`):error});redactor=new Redactor(settings.secrets);let selected=validateSelection(settings);[...APP_VARIABLES,...Object.keys(settings.app.variables.read)].some(name=>settings.env[name])||io.stderr.write(noVariablesHint(settings));let color=!!io.stdout.isTTY&&!values["no-color"]&&!io.env.NO_COLOR,report=await runGate(settings,{log:{info:m=>{values.verbose&&io.stderr.write(`${redactor.redact(m)}
`)},output:line=>{values.verbose&&raw.stderr.write(`${redactor.redact(line)}
`)},group:async(name,fn)=>(values.verbose&&io.stderr.write(`\u25B8 ${redactor.redact(name)}
`),fn())}}),written=writeReports(report,targets,redactor,settings.sarifCategory);io.stdout.write(values.json?renderJson(report,{redactor}):renderConsole(report,{redactor,color,verbose:!!values.verbose}));let skipped=readOnlyNote(report,readOnly,selected.map(r=>r.meta.id));return skipped&&notes.write(skipped),written.length&&notes.write(`${written.join(`
`)}
`),report.ready?0:1}catch(error){let message=redactor.redact(errorMessage(error)),written=[];try{written=writeReports(configurationErrorReport(message,started),targets,redactor)}catch{}return io.stderr.write(`production-readiness-gate${error instanceof UsageError?"":" stopped"}: ${message}
`),written.length&&io.stderr.write(`${written.join(`
`)}
`),2}}function writeReports(report,targets,redactor,sarifCategory){let written=[],write=(path,input,label,text)=>{if(path)try{writeRegularFile(path,text()),written.push(`${label} ${path}`)}catch(error){throw new UsageError(`${input}: cannot write ${path} (${errorMessage(error)})`)}};return write(targets.reportPath,"report-path","JSON report:",()=>renderJson(report,{redactor})),write(targets.sarifPath,"sarif-path","SARIF:      ",()=>renderSarif(report,{redactor,toolVersion:VERSION,category:sarifCategory})),written}function readOnlyDefaults(inputs,runCommands){let left=[];for(let name of["install-command","build-command"])inputs[name]===void 0&&!runCommands&&(inputs[name]="",left.push(name==="install-command"?"gate.install":"gate.build"));return inputs.migrate===void 0&&(inputs.migrate="false",left.push("gate.migrate")),left}function readOnlyNote(report,leftOut,selected){let skipped=leftOut.filter(id=>selected.includes(id)&&report.rules.find(r=>r.id===id)?.status==="skip");if(skipped.length===0)return"";let how=[skipped.some(id=>id!=="gate.migrate")?"--run-commands runs the install and build commands":"",skipped.includes("gate.migrate")?"--migrate true also runs the migrate command against DATABASE_URL":""].filter(Boolean);return`Read-only run: ${skipped.join(", ")} not run (the command line runs no command unless asked); ${how.join("; ")}.
`}function noVariablesHint(settings){let where=settings.envFile?`the environment nor ${settings.envFile}`:"the environment (and no --dotenv file was given)",roles=settings.app.variables.roles,names=[roles.appUrl?.name??"APP_URL",roles.databaseUrl?.name??"DATABASE_URL",roles.authSecret?.name??"NEXTAUTH_SECRET",roles.stripeSecretKey?.name].filter(Boolean);return`production-readiness-gate: no app variable found in ${where}: the config rules will fail and the live checks have no ${names[0]} to probe. Give the app's variables (${names.join(", ")}, \u2026) with --dotenv .env.production, or export them.
`}if(isMainThread){let code=await cli({argv:process.argv.slice(2),env:process.env,cwd:process.cwd(),stdout:process.stdout,stderr:process.stderr});process.exitCode=code,setTimeout(()=>process.exit(code),2e3).unref()}
//# sourceMappingURL=index.js.map
