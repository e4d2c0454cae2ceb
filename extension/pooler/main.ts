// Entry point of dist/pooler.js: `node dist/pooler.js --target postgres://… [flags]`.
// Forked by the editor with an IPC channel, it also serves the extension (see ipc.ts).
import { runPoolerCli } from './cli';
import { argvWithTargetFromEnv, hasParentChannel, serveParent } from './ipc';

const forked = hasParentChannel();
const argv = forked ? argvWithTargetFromEnv(process.argv.slice(2)) : process.argv.slice(2);

runPoolerCli(argv, undefined, forked ? serveParent : undefined).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`poolsafe pooler: ${error.message}\n`);
    process.exit(1);
  },
);
