// Entry point of dist/pooler.js: `node dist/pooler.js --target postgres://… [flags]`.
import { runPoolerCli } from './cli';

runPoolerCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    process.stderr.write(`poolsafe pooler: ${error.message}\n`);
    process.exit(1);
  },
);
