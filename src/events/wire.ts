import { eventsModel } from '../protocol/models/index.js';
import type { WireService } from '../protocol/wire.js';

/**
 * How EventBridge speaks on the wire: AWS JSON 1.1, whose errors carry the bare exception name as __type. Apart from
 * service.ts so the server can route to EventBridge before its code loads.
 */
export const EVENTS_WIRE: WireService = { signingName: 'events', model: eventsModel, jsonVersion: '1.1' };
