// `.sql` files of a Node project whose database drivers are MySQL's only (package.json depends on mysql2, mysql,
// mariadb or PlanetScale's driver, and on no PostgreSQL driver): nothing of the project sends SQL to PostgreSQL, so a
// statement PostgreSQL rejects for MySQL's everyday date arithmetic, an unquoted interval (`NOW() - INTERVAL 7 DAY`),
// is the project's MySQL, not a PostgreSQL mistake. Elsewhere that interval keeps its syntax error: in a project that
// talks to PostgreSQL it is a real one. The statements' other errors are reported as ever.
import { packageDependencies } from './packageManifests';
import { MYSQL_MODULES, POSTGRES_MODULES } from './driverModules';
import { writesUnquotedInterval } from './dialect';
import { splitStatements } from './splitter';
import type { Finding } from './types';

/** The findings of a `.sql` file without the syntax errors of its unquoted-interval statements, when its project is MySQL's only. */
export function withoutMysqlIntervalErrors(text: string, findings: Finding[], fileName: string | undefined): Finding[] {
  if (fileName === undefined || !findings.some((f) => f.rule === 'syntax-error') || !inMysqlOnlyProject(fileName)) return findings;
  const intervalStatements = splitStatements(text).filter((span) => writesUnquotedInterval(span.text));
  return findings.filter((f) => f.rule !== 'syntax-error' || !intervalStatements.some((span) => span.start <= f.start && f.start <= span.end));
}

/** Whether the nearest package.json above the file depends on a MySQL driver and on no PostgreSQL one. */
function inMysqlOnlyProject(fileName: string): boolean {
  const dependencies = [...packageDependencies(fileName)];
  return dependencies.some((name) => MYSQL_MODULES.test(name)) && !dependencies.some((name) => POSTGRES_MODULES.test(name));
}
