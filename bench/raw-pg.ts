import { Client } from 'pg';
import type { Params, RawDb, RawStatement } from './raw-db';

/** `?` → `$1, $2, …` (the bench's SQL has no `?` inside string literals). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

let statements = 0;

/** The PostgreSQL side of RawDb: one `pg` client (the driver Sequelize uses), no pool, no ORM. */
export class RawPg implements RawDb {
  readonly dialect = 'postgres' as const;
  private constructor(private readonly client: Client) {}

  static async open(url: string): Promise<RawPg> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new RawPg(client);
  }

  async all<T>(sql: string, params: Params = []): Promise<T[]> {
    return (await this.client.query(numbered(sql), params)).rows as T[];
  }

  async run(sql: string, params: Params = []): Promise<{ changes: number }> {
    return { changes: (await this.client.query(numbered(sql), params)).rowCount ?? 0 };
  }

  /** A named prepared statement: parsed and planned once per connection, as the sqlite3 driver's. */
  prepare(sql: string): RawStatement {
    const name = `bench_${++statements}`;
    const text = numbered(sql);
    return {
      all: async <T>(params: Params) => (await this.client.query({ name, text, values: params })).rows as T[],
      finalize: async () => undefined,
    };
  }

  async begin(): Promise<void> {
    await this.client.query('BEGIN');
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
