/** Multi-row INSERTs of plain values, for the writes a bulk job makes per user. */
import type { CreationAttributes, Model, ModelAttributeColumnOptions, ModelStatic, Transaction } from 'sequelize';

/**
 * Insert `rows` in one statement without building a model instance per row. `bulkCreate` builds,
 * defaults and serialises an instance for each (a third of the main thread's time in a bulk
 * disable's batch went to Sequelize's instances); here each value is escaped by its attribute's
 * type exactly as `bulkCreate` escapes it, and literal defaults (`defaultValue: 'admin'`) are
 * filled in. No hooks and no validators run: callers build rows the schema accepts. A row missing
 * a required attribute that has no literal default is a programming error, thrown before any SQL.
 */
export async function insertPlainRows<M extends Model>(
  model: ModelStatic<M>,
  rows: Array<CreationAttributes<M>>,
  t: Transaction,
): Promise<void> {
  if (rows.length === 0) return;
  const attributes = model.getAttributes() as Record<string, ModelAttributeColumnOptions>;
  const byField: Record<string, ModelAttributeColumnOptions> = {};
  const fill: Array<[string, unknown]> = [];
  for (const [name, a] of Object.entries(attributes)) {
    byField[a.field ?? name] = a;
    const literal = a.defaultValue === null || ['string', 'number', 'boolean'].includes(typeof a.defaultValue);
    if (literal) fill.push([name, a.defaultValue]);
  }
  const records = rows.map((row) => {
    const given = row as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, value] of fill) if (given[name] === undefined) out[attributes[name].field ?? name] = value;
    for (const [name, value] of Object.entries(given)) {
      const a = attributes[name];
      if (!a) throw new Error(`insertPlainRows: ${model.name} has no attribute ${name}`);
      if (value !== undefined) out[a.field ?? name] = value;
    }
    for (const [name, a] of Object.entries(attributes))
      if (a.allowNull === false && !a.autoIncrement && out[a.field ?? name] === undefined)
        throw new Error(`insertPlainRows: ${model.name}.${name} is required`);
    return out;
  });
  await model.sequelize!.getQueryInterface().bulkInsert(model.getTableName() as string, records, { transaction: t }, byField);
}
