import type { WireService } from '../protocol/wire.js';

/** What every action learns about the call besides its input. Nothing here is HTTP-specific. */
export interface CallContext {
  readonly requestId: string;
  /** From the SigV4 credential scope (or the host name), else the server's default region. */
  readonly region: string;
  /** The account the caller acts as: a 12-digit access key id selects it, otherwise the server's account. */
  readonly accountId: string;
  /** The Host the client addressed, so URLs we hand out are reachable the way the client reached us. */
  readonly host: string;
  /** The request path; Query clients may address a queue by its URL path instead of a QueueUrl parameter. */
  readonly path: string;
  readonly protocol: 'json' | 'query';
  readonly accessKeyId: string | undefined;
  /** The `X-Amzn-Trace-Id` header, which SQS keeps as a message's AWSTraceHeader. */
  readonly traceHeader?: string | undefined;
}

export type Action = (input: any, ctx: CallContext) => unknown;

/** A service as the server sees it: its wire description and one function per action of its model. */
export interface ServiceHandler {
  readonly wire: WireService;
  readonly actions: Readonly<Record<string, Action>>;
  /** A request path that names one of this service's resources (an SQS queue URL's path). */
  readonly resourcePath?: RegExp;
  /** Actions AWS refuses when a Query request is sent to a resource path (ListQueues to a queue URL). */
  readonly serviceLevelActions?: ReadonlySet<string>;
}
