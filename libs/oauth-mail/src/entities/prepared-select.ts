import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { RawSqlResultsToEntityTransformer } from 'typeorm/query-builder/transformer/RawSqlResultsToEntityTransformer.js';

/**
 * A select whose SQL is built once, for queries on every Check: TypeORM's
 * query builder builds the statement again on each execution, which cost more
 * CPU than running it. `build` runs at the first call (the data source is
 * connected by then); it must take its values as named parameters, without
 * skip or take. The rows become entities through TypeORM's own transformer,
 * relations included; entity load listeners do not run.
 */
export function preparedSelect<T extends ObjectLiteral>(build: () => SelectQueryBuilder<T>): (parameters: ObjectLiteral) => Promise<T[]> {
  let prepared: { builder: SelectQueryBuilder<T>; sql: string } | undefined;
  return async (parameters) => {
    if (!prepared) {
      const builder = build();
      prepared = { builder, sql: builder.getQuery() };
    }
    const { builder, sql } = prepared;
    const { driver } = builder.connection;
    const [query, values] = driver.escapeQueryWithParameters(sql, parameters, {});
    const rows = await builder.connection.query<ObjectLiteral[]>(query, values);
    return new RawSqlResultsToEntityTransformer(builder.expressionMap, driver, [], []).transform(rows, builder.expressionMap.mainAlias!) as T[];
  };
}
