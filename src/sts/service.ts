import type { ServiceHandler } from '../core/service.js';
import { stsModel } from '../protocol/models/index.js';

/**
 * STS, as far as tools need it: GetCallerIdentity tells a client which account it acts as. The identity is the
 * account the request resolved to (a 12-digit access key id selects it) and its root user.
 */
export function stsService(): ServiceHandler {
  return {
    wire: { signingName: 'sts', model: stsModel },
    actions: {
      GetCallerIdentity: (_input: unknown, ctx) => ({
        UserId: ctx.accessKeyId && !/^\d{12}$/.test(ctx.accessKeyId) ? ctx.accessKeyId : ctx.accountId,
        Account: ctx.accountId,
        Arn: `arn:aws:iam::${ctx.accountId}:root`,
      }),
    },
  };
}
