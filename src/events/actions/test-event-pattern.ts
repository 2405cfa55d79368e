import { matches, parsePattern } from '../../pattern/index.js';
import { validation } from '../errors.js';
import { checkEventPattern } from './rules.js';

/** API_TestEventPattern: the event must carry these members. */
const REQUIRED_EVENT_MEMBERS = ['id', 'account', 'source', 'time', 'region', 'resources', 'detail-type'];

export function testEventPattern(_rt: unknown, input: { EventPattern?: string; Event?: string }) {
  checkEventPattern(input.EventPattern ?? '');
  let event: unknown;
  try {
    event = JSON.parse(input.Event ?? '');
  } catch {
    event = undefined;
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event) || !REQUIRED_EVENT_MEMBERS.every((m) => m in event)) {
    throw validation('Parameter Event is not valid.');
  }
  return { Result: matches(parsePattern(input.EventPattern!, 'eventbridge'), event) };
}
