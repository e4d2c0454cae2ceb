// Reads Pgpool-II's pgpool.conf so `--config pgpool.conf` mirrors a production balancer: the
// backends (backend_hostnameN / backend_portN / backend_weightN; node 0 is the primary), the
// load-balancing keys with Pgpool-II's names and meanings, and the listen address. Pgpool-II logs in
// to its backends as each client; PoolSafe logs in as the --target URL's user, whose database the
// backends serve. Keys that change routing but that PoolSafe does not act on become warnings.
import { readFileSync } from 'node:fs';
import { DISABLE_ON_WRITE_VALUES, type DisableOnWrite } from './balancer';
import { configForTarget, type DatabaseTarget, type PoolerConfig, type ReplicaHost } from './config';

export interface PgpoolWarning {
  file: string;
  line: number;
  message: string;
}

/** key → raw value (quotes removed), with the line each came from. */
export function parsePgpoolConf(text: string): Map<string, { value: string; line: number }> {
  const settings = new Map<string, { value: string; line: number }>();
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=?\s*('(?:[^'\\]|\\.|'')*'|[^#\s]*)/.exec(lines[index]);
    if (!match || lines[index].trimStart().startsWith('#')) continue;
    const raw = match[2];
    const value = raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'").replace(/\\(.)/g, '$1') : raw;
    settings.set(match[1].toLowerCase(), { value, line: index + 1 });
  }
  return settings;
}

/** Whether a --config file is a pgpool.conf rather than a PgBouncer ini. */
export function looksLikePgpoolConf(text: string): boolean {
  return !/^[^\S\r\n\u2028\u2029]*\[[^\]\n]+\][^\S\r\n\u2028\u2029]*$/m.test(text) && /^[^\S\r\n\u2028\u2029]*(backend_hostname\d+|load_balance_mode|backend_clustering_mode)\s*=/m.test(text);
}

/** Keys that change Pgpool-II's routing but are not reproduced (a warning each, when set). */
const NOT_REPRODUCED = [
  'primary_routing_query_pattern_list', 'database_redirect_preference_list', 'app_name_redirect_preference_list',
  'prefer_lower_delay_standby', 'dml_adaptive_object_relationship_list', 'delay_threshold_by_time', 'replicate_select',
  'check_temp_table', 'check_unlogged_table',
];

const TRUE_WORDS = ['on', 'true', 'yes', '1'];

/** The configuration a pgpool.conf describes, serving `target`'s database and user. */
export function configFromPgpoolConf(path: string, target: DatabaseTarget | undefined, warn: (warning: PgpoolWarning) => void = () => {}): PoolerConfig {
  const settings = parsePgpoolConf(readFileSync(path, 'utf8'));
  if (!target) throw new Error(`${path}: a pgpool.conf names no database or user: give --target postgres://user:password@…/db as well`);
  const get = (key: string) => settings.get(key)?.value;
  const backends = backendsOf(settings);
  const primary = backends[0];
  if (!primary) throw new Error(`${path}: no backend_hostname0 / backend_port0`);
  const served: DatabaseTarget = {
    ...target,
    host: primary.host || target.host,
    port: primary.port,
    primary_weight: primary.weight,
    replicas: backends.slice(1).map((b): ReplicaHost => ({ host: b.host || target.host, port: b.port, weight: b.weight })),
  };
  const config = configForTarget(served);
  config.load_balance = TRUE_WORDS.includes((get('load_balance_mode') ?? 'on').toLowerCase()) ? 'pgpool' : 'off';
  const onWrite = (get('disable_load_balance_on_write') ?? 'transaction').toLowerCase();
  if (!DISABLE_ON_WRITE_VALUES.includes(onWrite as DisableOnWrite)) {
    throw new Error(`${path}:${settings.get('disable_load_balance_on_write')!.line}: disable_load_balance_on_write = ${onWrite} is not supported (use ${DISABLE_ON_WRITE_VALUES.join(', ')})`);
  }
  config.disable_load_balance_on_write = onWrite as DisableOnWrite;
  config.statement_level_load_balance = TRUE_WORDS.includes((get('statement_level_load_balance') ?? 'off').toLowerCase());
  config.allow_sql_comments = TRUE_WORDS.includes((get('allow_sql_comments') ?? 'off').toLowerCase());
  config.write_function_list = listOf(get('write_function_list') ?? get('black_function_list'));
  config.read_only_function_list = listOf(get('read_only_function_list') ?? get('white_function_list'));
  config.delay_threshold = Number(get('delay_threshold') ?? 0) || 0;
  if (get('sr_check_period') !== undefined) config.sr_check_period = Math.max(Number(get('sr_check_period')) || 0, 0.1);
  const port = get('port');
  if (port !== undefined && /^\d+$/.test(port)) config.listen_port = Number(port);
  const listen = get('listen_addresses');
  if (listen !== undefined) config.listen_addr = listen === '*' ? '0.0.0.0' : listen === 'localhost' || listen === '' ? '127.0.0.1' : listen.split(',')[0].trim();
  const clustering = get('backend_clustering_mode');
  if (clustering !== undefined && clustering !== 'streaming_replication') {
    warn({ file: path, line: settings.get('backend_clustering_mode')!.line, message: `backend_clustering_mode = ${clustering}: PoolSafe balances as in streaming_replication mode` });
  }
  for (const key of NOT_REPRODUCED) {
    const entry = settings.get(key);
    if (entry && entry.value !== '' && entry.value !== 'off') warn({ file: path, line: entry.line, message: `${key} is not reproduced by PoolSafe; ignored` });
  }
  return config;
}

function backendsOf(settings: Map<string, { value: string; line: number }>): { host: string; port: number; weight: number }[] {
  const backends: { host: string; port: number; weight: number }[] = [];
  for (let n = 0; n < 128; n++) {
    const host = settings.get(`backend_hostname${n}`)?.value;
    const port = settings.get(`backend_port${n}`)?.value;
    if (host === undefined && port === undefined) break;
    const weight = Number(settings.get(`backend_weight${n}`)?.value ?? 1);
    backends.push({ host: host === 'localhost' ? '127.0.0.1' : host ?? '', port: Number(port ?? 5432), weight: Number.isFinite(weight) ? weight : 1 });
  }
  return backends;
}

function listOf(value: string | undefined): string[] {
  return (value ?? '').split(',').map((item) => item.trim()).filter((item) => item !== '');
}
