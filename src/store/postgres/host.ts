import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { FifoSendOptions, NewMessage, QueueRecord, SendResult } from '../contract.js';
import type { FanoutDelivery } from '../sns-contract.js';

/** A pool (one statement, its own transaction) or a connection inside a transaction. */
export type Queryable = Pool | PoolClient;

/**
 * What the PostgreSQL queue engine lends the stores built over its database (SNS, the delivery log): its pool and
 * schema, its transactions (which run again after a deadlock), and its multi-queue send run inside one of them —
 * so that a publish and its deliveries into queues commit together, on whichever node makes them.
 */
export interface PostgresHost {
  readonly pool: Pool;
  /** The quoted schema name, to prefix table names with. */
  readonly quotedSchema: string;
  /**
   * Runs `fn` in one transaction on one connection. A deadlock victim runs again from the start, so `fn` must do
   * nothing but database work (and pure computation) before it resolves.
   */
  transaction<T>(fn: (c: PoolClient) => Promise<T>): Promise<T>;
  /** The engine's send into one queue, on its own (into a standard queue: one statement, no transaction). */
  send(queue: QueueRecord, messages: NewMessage[], fifo?: FifoSendOptions): Promise<SendResult[]>;
  /** The engine's sendMany, inside the caller's transaction (queues written in id order). */
  sendManyIn(c: PoolClient, deliveries: FanoutDelivery[]): Promise<SendResult[][]>;
}

/** A named statement: node-postgres prepares it once per connection. */
export interface Sql {
  readonly name: string;
  readonly text: string;
}

export async function rowsOf<R extends QueryResultRow>(c: Queryable, st: Sql, values: unknown[]): Promise<R[]> {
  return (await c.query<R>({ name: st.name, text: st.text, values })).rows;
}

export async function countOf(c: Queryable, st: Sql, values: unknown[]): Promise<number> {
  return (await c.query({ name: st.name, text: st.text, values })).rowCount ?? 0;
}
