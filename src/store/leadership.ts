/**
 * Leader election: work that no request drives (retention sweeps, message move tasks, later SNS delivery retries
 * and EventBridge schedules) must run once across all the nodes sharing one storage, not once per node, and carry
 * on when the node running it dies.
 *
 * A service asks for a lease on a role ("sqs-background") and runs its work only while `held` is true. At most one
 * node holds a role at a time (up to the moment a node that lost its database connection notices: the holder
 * re-checks its connection every few seconds, so overlapping steps are possible but brief — background work must
 * stay safe to run twice, as every store call is its own transaction). When the holder dies, another node takes the
 * role over within a few seconds.
 *
 * Engines: an embedded SQLite file has one writer process, which is always the leader (`SoleLeadership`);
 * PostgreSQL holds a session-level advisory lock per role on a dedicated connection (store/postgres/leadership.ts).
 */

export interface LeaderLease {
  readonly role: string;
  /** True while this node is the leader for the role. Check before each step of the work. */
  readonly held: boolean;
  /** Calls `listener` whenever `held` changes; returns an unsubscribe. */
  onChange(listener: (held: boolean) => void): () => void;
  /** Gives the role up (another node may take it) and stops campaigning for it. */
  release(): Promise<void>;
}

export interface Leadership {
  /** Starts campaigning for `role` (a short name unique within the deployment). One lease per role and node. */
  lease(role: string): LeaderLease;
  /** Resolves once every lease asked for so far has had its first chance to win. */
  settled(): Promise<void>;
  /** Releases every lease. */
  close(): Promise<void>;
}

/** One node alone on its storage: every lease is held from the start until released. */
export class SoleLeadership implements Leadership {
  private readonly leases = new Set<SoleLease>();

  lease(role: string): LeaderLease {
    const lease = new SoleLease(role, (l) => this.leases.delete(l));
    this.leases.add(lease);
    return lease;
  }

  async settled(): Promise<void> {}

  async close(): Promise<void> {
    for (const l of [...this.leases]) await l.release();
  }
}

class SoleLease implements LeaderLease {
  held = true;
  private readonly listeners = new Set<(held: boolean) => void>();

  constructor(
    readonly role: string,
    private readonly released: (lease: SoleLease) => void,
  ) {}

  onChange(listener: (held: boolean) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async release(): Promise<void> {
    if (!this.held) return;
    this.held = false;
    this.released(this);
    for (const l of [...this.listeners]) l(false);
  }
}
