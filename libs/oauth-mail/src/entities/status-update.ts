import type { ObjectLiteral, Repository } from 'typeorm';

/** The longest outcome message a row records (a Check's, a Test connection's): longer ones are cut. */
export const RECORDED_MESSAGE_MAX = 1000;

/**
 * Writes `fields` without moving the row's update date: a Check's outcome or a
 * fetch position is the product's own bookkeeping, not an edit, and "Updated"
 * keeps saying when someone last changed the settings.
 */
export async function updateStatus<T extends ObjectLiteral>(repository: Repository<T>, id: string, fields: Partial<T>): Promise<void> {
  const column = repository.metadata.updateDateColumn;
  const escape = (name: string) => repository.manager.connection.driver.escape(name);
  const keep = column ? { [column.propertyName]: () => escape(column.databaseName) } : {};
  await repository.createQueryBuilder().update().set({ ...fields, ...keep }).where('id = :id', { id }).execute();
}
