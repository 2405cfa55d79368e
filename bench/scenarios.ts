// The configurations measured, and what each is compared with. Every figure is
// a ratio against a baseline from the same run, because the 2-core machine is
// shared by load generator and server and absolute numbers drift between runs.
import type { ClientKind } from './load-protocol.js';

export type ServerKind = 'noop' | 'postbox-durable' | 'postbox-memory';

export interface Scenario {
  id: string;
  label: string;
  server: ServerKind;
  client: ClientKind;
  /** Scenario whose msgs/s is this one's "same client, no broker" reference. */
  sameClientBaseline: string;
  /** Run unless BENCH_SCENARIOS selects otherwise. */
  byDefault: boolean;
}

/** The HTTP ceiling: the lean client against the no-op server. */
export const CEILING_ID = 'noop';

export const SCENARIOS: readonly Scenario[] = [
  { id: 'noop', label: 'No-op HTTP server (ceiling)', server: 'noop', client: 'lean', sameClientBaseline: 'noop', byDefault: true },
  { id: 'durable', label: 'Postbox, durable SQLite (default)', server: 'postbox-durable', client: 'lean', sameClientBaseline: 'noop', byDefault: true },
  { id: 'memory', label: 'Postbox, in-memory SQLite', server: 'postbox-memory', client: 'lean', sameClientBaseline: 'noop', byDefault: true },
  { id: 'noop-sdk', label: 'No-op HTTP server', server: 'noop', client: 'sdk', sameClientBaseline: 'noop-sdk', byDefault: true },
  { id: 'durable-sdk', label: 'Postbox, durable SQLite', server: 'postbox-durable', client: 'sdk', sameClientBaseline: 'noop-sdk', byDefault: true },
  // Cross-check of the lean transport against node:http's own client.
  { id: 'noop-node-http', label: 'No-op HTTP server', server: 'noop', client: 'node-http', sameClientBaseline: 'noop-node-http', byDefault: false },
  { id: 'durable-node-http', label: 'Postbox, durable SQLite', server: 'postbox-durable', client: 'node-http', sameClientBaseline: 'noop-node-http', byDefault: false },
];

/** Pseudo-scenario id for the deep-queue runs (durable store, lean client). */
export const DEEP_ID = 'deep';

export function selectScenarios(requested: readonly string[]): { scenarios: Scenario[]; deep: boolean } {
  if (requested.length === 0) return { scenarios: SCENARIOS.filter((s) => s.byDefault), deep: true };
  const known = new Set([...SCENARIOS.map((s) => s.id), DEEP_ID]);
  const unknown = requested.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new Error(`unknown BENCH_SCENARIOS ${unknown.join(', ')}; known: ${[...known].join(', ')}`);
  // The ceiling is always measured: nothing can be reported without it.
  const ids = new Set([CEILING_ID, ...requested]);
  for (const s of SCENARIOS) if (ids.has(s.id)) ids.add(s.sameClientBaseline);
  return { scenarios: SCENARIOS.filter((s) => ids.has(s.id)), deep: ids.has(DEEP_ID) };
}
