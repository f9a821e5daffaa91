import type { EntityMetadata, ObjectLiteral, Repository } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata.js';

/** The longest outcome message a row records (a Check's, a Test connection's): longer ones are cut. */
export const RECORDED_MESSAGE_MAX = 1000;

/** An UPDATE of some columns by id, its SQL built once per table and set of columns. */
interface StatusStatement {
  sql: string;
  columns: ColumnMetadata[];
}

const statements = new WeakMap<EntityMetadata, Map<string, StatusStatement>>();

/**
 * Writes `fields` without moving the row's update date: a Check's outcome or a
 * fetch position is the product's own bookkeeping, not an edit, and "Updated"
 * keeps saying when someone last changed the settings. It runs on every Check,
 * so its SQL is built once: TypeORM's query builder spent more CPU building
 * the statement than the database spent running it. Values are converted as
 * TypeORM converts them (dates, JSON, transformers); no entity listener runs.
 */
export async function updateStatus<T extends ObjectLiteral>(repository: Repository<T>, id: string, fields: Partial<T>): Promise<void> {
  const { sql, columns } = statement(repository.metadata, Object.keys(fields), (name) => repository.manager.connection.driver.escape(name));
  const driver = repository.manager.connection.driver;
  const values: ObjectLiteral = { row_id: id };
  columns.forEach((column, i) => {
    values[`v${i}`] = driver.preparePersistentValue(column.getEntityValue(fields) as unknown, column) as unknown;
  });
  const [query, parameters] = driver.escapeQueryWithParameters(sql, values, {});
  await repository.query(query, parameters);
}

function statement(metadata: EntityMetadata, names: string[], escape: (name: string) => string): StatusStatement {
  let byColumns = statements.get(metadata);
  if (!byColumns) statements.set(metadata, (byColumns = new Map<string, StatusStatement>()));
  const key = names.join(',');
  let made = byColumns.get(key);
  if (!made) {
    const columns = names.map((name) => {
      const column = metadata.findColumnWithPropertyName(name);
      if (!column) throw new Error(`${metadata.name} has no column ${name}.`);
      return column;
    });
    const table = metadata.tablePath.split('.').map(escape).join('.');
    const set = columns.map((column, i) => `${escape(column.databaseName)} = :v${i}`).join(', ');
    made = { sql: `UPDATE ${table} SET ${set} WHERE ${escape(metadata.primaryColumns[0].databaseName)} = :row_id`, columns };
    byColumns.set(key, made);
  }
  return made;
}
