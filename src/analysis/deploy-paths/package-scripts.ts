/**
 * What runs package.json scripts without a deploy file naming them: npm's lifecycle scripts (on every
 * install, build and start, and the platforms' own build hooks), and the gate's own commands.
 */
import type { Scripts } from '../../probes/repository.js';
import type { Settings } from '../../settings.js';
import type { Entry } from './entries.js';

/**
 * Scripts npm and the platforms run without being asked: on every install (`npm ci` runs the install
 * and prepare scripts), on `npm run build` / `npm start` (what Vercel, Netlify, Heroku, Render and
 * Railway run by default), and the platform-specific build hooks that replace `build` there.
 */
const LIFECYCLE: ReadonlyArray<[script: string, why: string]> = [
  ['preinstall', 'npm runs it on every install and ci'],
  ['install', 'npm runs it on every install and ci'],
  ['postinstall', 'npm runs it on every install and ci'],
  ['prepare', 'npm runs it on every install and ci'],
  ['prebuild', 'npm runs it before build'],
  ['build', 'the platforms run it to build'],
  ['postbuild', 'npm runs it after build'],
  ['vercel-build', 'Vercel runs it instead of build'],
  ['heroku-postbuild', 'Heroku runs it instead of build'],
  ['prestart', 'npm runs it before start'],
  ['start', 'the platforms run it to start the app'],
];

/** Lifecycle scripts, traced from inside themselves, placed at their package.json line. */
export function lifecycleEntries(scripts: Scripts): Entry[] {
  return LIFECYCLE.filter(([name]) => scripts.has(name)).map(([name, why]) => {
    const { command, line } = scripts.get(name)!;
    return {
      source: command,
      script: name,
      secondary: true,
      place: () => ({ file: 'package.json', line, label: `package.json:${line} "${name}" (${why})` }),
    };
  });
}

/** The gate's own install, migrate and build commands run in this very job. */
export function gateCommandEntries(settings: Pick<Settings, 'installCommand' | 'migrateCommand' | 'buildCommand'>): Entry[] {
  const inputs: Array<[string, string]> = [
    ['install-command', settings.installCommand],
    ['migrate-command', settings.migrateCommand],
    ['build-command', settings.buildCommand],
  ];
  return inputs
    .filter(([, command]) => command.trim() !== '')
    .map(([input, command]) => ({ source: command, secondary: true, place: () => ({ label: `${input} input` }) }));
}
