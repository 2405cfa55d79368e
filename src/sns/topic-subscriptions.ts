import type { Logger } from 'pino';
import { compile, matchFlat, parseFilterPolicy, snsEvent, type CompiledRuleSet, type RuleInput, type SnsMessageAttributes } from '../pattern/index.js';
import type { SnsStore, SubscriptionRecord } from '../store/sns-contract.js';

/** A topic's confirmed subscriptions with their filter policies compiled, one index per FilterPolicyScope. */
export interface TopicFanout {
  /** Subscriptions without a filter policy: every message goes to them. */
  readonly unfiltered: readonly SubscriptionRecord[];
  readonly byArn: ReadonlyMap<string, SubscriptionRecord>;
  readonly attributePolicies: CompiledRuleSet | undefined;
  readonly bodyPolicies: CompiledRuleSet | undefined;
  /** Every confirmed subscription, in ARN order. */
  readonly all: readonly SubscriptionRecord[];
}

export interface PublishedMessage {
  readonly attributes: SnsMessageAttributes;
  readonly body: string;
}

/**
 * Subscriptions per topic, in memory, with the topic's filter policies compiled once (pattern/compile) rather than
 * parsed on every publish. Any change to a topic's subscriptions drops its entry; the next publish reloads and
 * recompiles. On SQLite this process is the store's only writer, so the actions' own `invalidate` calls see every
 * change. On PostgreSQL other nodes change subscriptions too: the store reports a change made anywhere when it next
 * reads the topic (PostgresSnsStore.onSubscriptionsChanged, wired to `invalidate` in app.ts), and a publish reads
 * its topic before it calls `get`.
 */
export class TopicSubscriptions {
  private readonly cache = new Map<string, Promise<TopicFanout>>();
  /** Bumped by every invalidation, so that a load that started before a change is not cached after it. */
  private readonly generation = new Map<string, number>();

  constructor(
    private readonly store: SnsStore,
    private readonly logger: Logger,
  ) {}

  get(topicArn: string): Promise<TopicFanout> {
    const cached = this.cache.get(topicArn);
    if (cached) return cached;
    const generation = this.generation.get(topicArn) ?? 0;
    const loading = this.store.subscriptionsOf(topicArn).then((subs) => this.compile(subs));
    this.cache.set(topicArn, loading);
    loading.catch(() => this.cache.delete(topicArn));
    void loading.then(() => {
      if ((this.generation.get(topicArn) ?? 0) !== generation) this.cache.delete(topicArn);
    }, () => {});
    return loading;
  }

  invalidate(topicArn: string): void {
    this.cache.delete(topicArn);
    this.generation.set(topicArn, (this.generation.get(topicArn) ?? 0) + 1);
  }

  /** The subscriptions a message goes to, in ARN order. */
  matching(fanout: TopicFanout, message: PublishedMessage): SubscriptionRecord[] {
    const arns = new Set<string>(fanout.unfiltered.map((s) => s.arn));
    if (fanout.attributePolicies) {
      for (const arn of matchFlat(fanout.attributePolicies, snsEvent('MessageAttributes', { attributes: message.attributes })!)) arns.add(arn);
    }
    if (fanout.bodyPolicies) {
      const event = snsEvent('MessageBody', { body: message.body });
      if (event) for (const arn of matchFlat(fanout.bodyPolicies, event)) arns.add(arn);
    }
    return fanout.all.filter((s) => arns.has(s.arn));
  }

  private compile(subscriptions: SubscriptionRecord[]): TopicFanout {
    const all = subscriptions.filter((s) => !s.pendingConfirmation);
    const unfiltered: SubscriptionRecord[] = [];
    const byScope: Record<'MessageAttributes' | 'MessageBody', RuleInput[]> = { MessageAttributes: [], MessageBody: [] };
    for (const s of all) {
      const text = s.attributes['FilterPolicy'];
      if (!text) {
        unfiltered.push(s);
        continue;
      }
      const scope = s.attributes['FilterPolicyScope'] === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
      try {
        const policy = parseFilterPolicy(text, scope);
        if (policy.pattern === undefined) unfiltered.push(s);
        else byScope[scope].push({ id: s.arn, pattern: policy.pattern });
      } catch (err) {
        // Policies are validated when set; one that no longer parses matches nothing rather than everything.
        this.logger.warn({ err, subscription: s.arn }, 'filter policy does not parse; subscription gets no messages');
      }
    }
    return {
      all,
      unfiltered,
      byArn: new Map(all.map((s) => [s.arn, s])),
      attributePolicies: byScope.MessageAttributes.length ? compile(byScope.MessageAttributes) : undefined,
      bodyPolicies: byScope.MessageBody.length ? compile(byScope.MessageBody) : undefined,
    };
  }
}
