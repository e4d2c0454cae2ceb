// The commands that run the pooler (`pooler`, `run`): their own bundle (dist/cli-commands.js, see
// esbuild.mjs), loaded only by them, so a cold `poolsafe lint` neither compiles nor runs their code.
export { runPoolerCli } from '../extension/pooler/cli';
export { RUN_USAGE, runUnderPooler } from './run';
