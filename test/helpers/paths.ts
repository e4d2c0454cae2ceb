// Where the built artefacts are. POOLSAFE_DIST lets parallel builds use separate folders.
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const distDir = join(repoRoot, process.env.POOLSAFE_DIST ?? 'dist');
export const cliPath = join(distDir, 'cli.js');
export const poolerPath = join(distDir, 'pooler.js');
export const serverPath = join(distDir, 'server.js');
