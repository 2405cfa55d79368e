import { AwsError } from '../core/errors.js';
import { newRequestId } from '../core/ids.js';
import type { CallContext, ServiceHandler } from '../core/service.js';
import { decodeQueryInput } from '../protocol/query-decode.js';
import { checkJsonInput } from '../protocol/validate-shape.js';
import { jsonError, jsonResult, queryError, queryResult, type WireResponse } from '../protocol/wire.js';
import type { Logger } from 'pino';
import { parseCredentialScope } from './sigv4.js';

export interface IncomingCall {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface DispatchOptions {
  services: ServiceHandler[];
  defaultRegion: string;
  defaultAccountId: string;
  logger: Logger;
}

const TWELVE_DIGITS = /^\d{12}$/;
const HOST_REGION = /^[a-z0-9-]+\.([a-z]{2}(?:-[a-z]+)+-\d+)\./;

/**
 * Tells the wire protocol and service of a request apart, decodes its input, runs the action and encodes the
 * answer. AWS JSON requests name `Service.Action` in `X-Amz-Target`; AWS Query requests carry `Action=` (and usually
 * `Version=`) in a form body or the query string.
 */
export class Dispatcher {
  private readonly byTarget = new Map<string, ServiceHandler>();
  private readonly byVersion = new Map<string, ServiceHandler>();
  private readonly bySigningName = new Map<string, ServiceHandler>();

  constructor(private readonly options: DispatchOptions) {
    for (const s of options.services) {
      if (s.wire.model.targetPrefix) this.byTarget.set(s.wire.model.targetPrefix, s);
      this.byVersion.set(s.wire.model.apiVersion, s);
      this.bySigningName.set(s.wire.signingName, s);
    }
  }

  async dispatch(call: IncomingCall): Promise<WireResponse> {
    const requestId = newRequestId();
    const target = header(call.headers, 'x-amz-target');
    if (target) return this.dispatchJson(call, target, requestId);
    return this.dispatchQuery(call, requestId);
  }

  private async dispatchJson(call: IncomingCall, target: string, requestId: string): Promise<WireResponse> {
    const dot = target.lastIndexOf('.');
    const service = this.byTarget.get(target.slice(0, dot));
    const action = target.slice(dot + 1);
    if (!service) {
      const fallback = this.options.services[0]!;
      return jsonError(fallback.wire, requestId, new AwsError('UnknownOperation', `Unknown target ${target}`));
    }
    try {
      const op = service.wire.model.operations[action];
      const handler = service.actions[action];
      if (!op || !handler) throw new AwsError('UnknownOperation', `The action ${action} is not valid for this endpoint.`);
      let parsed: unknown;
      try {
        parsed = call.body.length ? JSON.parse(call.body.toString('utf8')) : {};
      } catch {
        throw new AwsError('SerializationException', 'Start of structure or map found where not expected.');
      }
      const input = checkJsonInput(op.input, parsed);
      const ctx = this.context(call, requestId, 'json');
      let output = handler(input, ctx);
      if (output instanceof Promise) output = await output;
      return jsonResult(service.wire, requestId, output);
    } catch (err) {
      return jsonError(service.wire, requestId, this.toAwsError(err));
    }
  }

  private async dispatchQuery(call: IncomingCall, requestId: string): Promise<WireResponse> {
    const params = new Map<string, string>(call.query);
    const contentType = header(call.headers, 'content-type') ?? '';
    if (call.method === 'POST' && call.body.length && !contentType.includes('json')) {
      for (const [k, v] of new URLSearchParams(call.body.toString('utf8'))) params.set(k, v);
    }
    const action = params.get('Action');
    const addressed = this.options.services.find((s) => s.resourcePath?.test(call.path));
    const service = this.queryService(call, params, action, addressed);
    if (!action) {
      // AWS answers a bare request to a resource URL (a GET of a queue URL) with 404.
      if (addressed) return { status: 404, headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, body: '<UnknownOperationException/>' };
      return queryError(service?.wire, requestId, new AwsError('MissingAction', 'No action specified'));
    }
    if (!service) return queryError(undefined, requestId, invalidAction(action));
    try {
      const op = service.wire.model.operations[action];
      const handler = service.actions[action];
      if (!op || !handler || (service === addressed && service.serviceLevelActions?.has(action))) throw invalidAction(action);
      const input = decodeQueryInput(op.input, params);
      const ctx = this.context(call, requestId, 'query');
      let output = handler(input, ctx);
      if (output instanceof Promise) output = await output;
      return queryResult(service.wire, action, requestId, output);
    } catch (err) {
      return queryError(service.wire, requestId, this.toAwsError(err));
    }
  }

  /** Version names the API unambiguously; then the signing scope; then which service has the action at all. */
  private queryService(
    call: IncomingCall,
    params: Map<string, string>,
    action: string | undefined,
    addressed: ServiceHandler | undefined,
  ): ServiceHandler | undefined {
    const version = params.get('Version');
    const byVersion = version ? this.byVersion.get(version) : undefined;
    if (byVersion) return byVersion;
    const scope = parseCredentialScope(header(call.headers, 'authorization'), call.query);
    const bySigning = scope ? this.bySigningName.get(scope.service) : undefined;
    if (bySigning) return bySigning;
    if (addressed) return addressed;
    if (!action) return undefined;
    return this.options.services.find((s) => s.wire.model.operations[action]);
  }

  private context(call: IncomingCall, requestId: string, protocol: 'json' | 'query'): CallContext {
    const scope = parseCredentialScope(header(call.headers, 'authorization'), call.query);
    const host = header(call.headers, 'host') ?? 'localhost';
    const region = scope?.region ?? HOST_REGION.exec(host)?.[1] ?? this.options.defaultRegion;
    const accessKeyId = scope?.accessKeyId;
    // As LocalStack does: an access key id of exactly twelve digits is the account to act as.
    const accountId = accessKeyId && TWELVE_DIGITS.test(accessKeyId) ? accessKeyId : this.options.defaultAccountId;
    return { requestId, region, accountId, host, path: call.path, protocol, accessKeyId, traceHeader: header(call.headers, 'x-amzn-trace-id') };
  }

  private toAwsError(err: unknown): AwsError {
    if (err instanceof AwsError) return err;
    this.options.logger.error({ err }, 'unexpected error in action');
    return new AwsError('InternalFailure', 'We encountered an internal error. Please try again.');
  }
}

function invalidAction(action: string): AwsError {
  return new AwsError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
}

export function header(headers: IncomingCall['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}
