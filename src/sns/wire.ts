import { snsModel } from '../protocol/models/index.js';
import type { WireService } from '../protocol/wire.js';

/** How SNS speaks on the wire (AWS Query). Apart from service.ts so the server can route to SNS before its code loads. */
export const SNS_WIRE: WireService = { signingName: 'sns', model: snsModel };
