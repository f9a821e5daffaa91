import { Logger } from '@nestjs/common';
import { Resource } from '@adminjs/typeorm';
import { BaseRecord, flat, ValidationError, type ParamsType } from 'adminjs';
import { preparedSelect } from '@app/oauth-mail';
import type { BaseEntity } from 'typeorm';
import { isSecretParam, withoutSecrets } from './secret-params.js';

type EntityClass = typeof BaseEntity & { new (): BaseEntity };

/** Adds display-only params (statuses, derived values) to a record built from a row. */
export type RecordDecorator = (row: Record<string, unknown>) => Record<string, unknown>;

const logger = new Logger('AdminResource');

/**
 * The TypeORM resource with secrets removed at the source: ciphertext columns
 * are not properties, and no record built from a row carries them, whichever
 * action (list, show, search, references, custom actions) asked for it.
 */
export class SecureTypeormResource extends Resource {
  /** The record every record action (show, edit, Check) loads first: a prepared statement, not a query builder per call. */
  private readonly loadOne: (parameters: { id: string | number }) => Promise<BaseEntity[]>;

  constructor(
    model: EntityClass,
    private readonly decorateRow: RecordDecorator = () => ({}),
  ) {
    super(model);
    this.loadOne = preparedSelect(() => model.createQueryBuilder('row').where(`row.${this.idName()} = :id`));
    const props = (this as unknown as { propsObject: Record<string, { column: { type: unknown } }> }).propsObject;
    for (const [path, prop] of Object.entries(props)) {
      if (isSecretParam(path)) delete props[path];
      // The adapter filters simple-enum columns with LIKE, which PostgreSQL's native enums reject;
      // presented as 'enum' they are filtered by exact value on both databases.
      else if (prop.column.type === 'simple-enum') {
        prop.column = Object.assign(Object.create(Object.getPrototypeOf(prop.column) as object | null) as object, prop.column, { type: 'enum' });
      }
    }
  }

  override async find(...args: Parameters<Resource['find']>): Promise<BaseRecord[]> {
    return (await super.find(...args)).map((r) => this.safe(r.params));
  }

  override async findOne(id: string | number): Promise<BaseRecord | null> {
    const [row] = await this.loadOne({ id });
    return row ? this.safe(new BaseRecord(row, this).params) : null;
  }

  override async findMany(ids: (string | number)[]): Promise<BaseRecord[]> {
    return (await super.findMany(ids)).map((r) => this.safe(r.params));
  }

  override async create(params: Record<string, unknown>): Promise<ParamsType> {
    return this.safeParams(await super.create(params));
  }

  override async update(pk: string | number, params: Record<string, unknown> = {}): Promise<ParamsType> {
    return this.safeParams(await super.update(pk, params));
  }

  /** The adapter swallows save errors it does not recognise; here they fail the action instead, without raw SQL. */
  override async validateAndSave(instance: BaseEntity): Promise<void> {
    try {
      await instance.save();
    } catch (error) {
      logger.error(`Saving ${this.id()} failed: ${(error as Error).name}`);
      throw new ValidationError({}, { message: 'The record could not be saved. Check the values and try again.', type: 'save_failed' });
    }
  }

  private safe(params: Record<string, unknown>): BaseRecord {
    return new BaseRecord(this.safeParams(params), this);
  }

  private safeParams(row: object): ParamsType {
    const plain = { ...(row as Record<string, unknown>) };
    // The adapter hands JSON columns over flattened (`userFields.name`); decorators see them whole and replace them whole.
    // adminjs types `flat` from the `flat` package, which ships no types: the call's type cannot be resolved.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-call
    const decorated = this.decorateRow(flat.unflatten(plain) as Record<string, unknown>);
    for (const key of Object.keys(plain)) {
      if (Object.keys(decorated).some((field) => key.startsWith(`${field}.`))) delete plain[key];
    }
    return withoutSecrets({ ...plain, ...decorated });
  }
}
