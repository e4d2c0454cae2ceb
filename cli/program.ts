// The `poolsafe` commands (dist/cli-program.js), run by cli/main.ts (runCommandLine) once it has not relaunched the CLI
// for a directory lint.
import { LINT_USAGE, UsageError, runLint } from './lint';
import { RULES } from '../server/analysis/index';
import { VERSION } from '../extension/pooler/version';

// The pooler and `run` (over half of the code, with node:tls, node:crypto, …) are loaded only by their
// commands: a cold `poolsafe lint` neither compiles their code nor loads the built-in modules they use.
const poolerCommands = (): typeof import('./commands') => require('./commands');

const USAGE = `usage: poolsafe <command> [options]
commands:
  lint <files|dirs...>   report pooling-unsafe SQL (run 'poolsafe lint --help')
  pooler --target URL    run the local transaction-mode pooler (run 'poolsafe pooler --help')
  run [flags] -- CMD     run CMD behind the pooler and report the hazards it hit (run 'poolsafe run --help')
  rules                  list the rules
  --version              print the version`;

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  version: VERSION,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(`${USAGE}\n`);
    return command === undefined ? 2 : 0;
  }
  if (command === '--version' || command === '-v') {
    io.stdout(`${VERSION}\n`);
    return 0;
  }
  if (command === 'rules') {
    for (const rule of RULES) io.stdout(`${rule.id.padEnd(30)} ${rule.defaultSeverity.padEnd(8)} ${rule.title}\n`);
    return 0;
  }
  if (command === 'lint') {
    if (rest.includes('--help') || rest.includes('-h')) {
      io.stdout(`${LINT_USAGE}\n`);
      return 0;
    }
    try {
      return await runLint(rest, io);
    } catch (error) {
      if (error instanceof UsageError) {
        io.stderr(`poolsafe lint: ${error.message}\n${LINT_USAGE}\n`);
        return 2;
      }
      throw error;
    }
  }
  if (command === 'pooler') return poolerCommands().runPoolerCli(rest);
  if (command === 'run') {
    const run = poolerCommands();
    const ownArgs = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
    if (ownArgs.includes('--help') || ownArgs.includes('-h')) {
      io.stdout(`${run.RUN_USAGE}\n`);
      return 0;
    }
    return run.runUnderPooler(rest, io);
  }
  io.stderr(`poolsafe: unknown command "${command}"\n${USAGE}\n`);
  return 2;
}

/**
 * Exits as soon as stdout has drained. An explicit exit matters for speed: V8 keeps optimising the
 * parser's WebAssembly on background threads, and a natural exit would wait for that (~0.5 s).
 */
function exitWhenFlushed(code: number): void {
  process.stdout.write('', (error) => process.exit(readerGone(error) ? READER_GONE_STATUS : code));
}

/** A write's error that says stdout's reader is gone (the last write's own EPIPE, or a later write after it). */
function readerGone(error: Error | null | undefined): boolean {
  const code = (error as NodeJS.ErrnoException | null | undefined)?.code;
  return code === 'EPIPE' || (code === 'ERR_STREAM_DESTROYED' && process.stdout.destroyed);
}

/**
 * The status a shell shows for a Unix tool that SIGPIPE ended (128 + 13). Node ignores SIGPIPE, so a reader that stops
 * early (`poolsafe rules | head -3`) would otherwise end the CLI with an unhandled EPIPE error and its stack trace.
 */
const READER_GONE_STATUS = 141;

/** Stops quietly once stdout's reader is gone: nothing written after that can reach anyone. */
function stopWhenReaderGone(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(READER_GONE_STATUS);
  });
}

/** Runs the command `argv` names (the arguments after the script) and exits with its code. */
export function runCommandLine(argv: string[]): void {
  stopWhenReaderGone();
  main(argv).then(exitWhenFlushed, (error: unknown) => {
    process.stderr.write(`poolsafe: ${(error as Error).stack ?? String(error)}\n`);
    exitWhenFlushed(2);
  });
}
