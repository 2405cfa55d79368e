import { AwsError } from '../core/errors.js';
import type { Action, CallContext, ServiceHandler } from '../core/service.js';
import { eventsModel } from '../protocol/models/index.js';
import { createArchive, deleteArchive, describeArchive, listArchives, updateArchive } from './actions/archives.js';
import { createEventBus, deleteEventBus, describeEventBus, listEventBuses, updateEventBus } from './actions/buses.js';
import { createEndpoint, deleteEndpoint, describeEndpoint, listEndpoints, updateEndpoint } from './actions/endpoints.js';
import {
  activateEventSource,
  createPartnerEventSource,
  deactivateEventSource,
  deletePartnerEventSource,
  describeEventSource,
  describePartnerEventSource,
  listEventSources,
  listPartnerEventSourceAccounts,
  listPartnerEventSources,
  putPartnerEvents,
} from './actions/partner-sources.js';
import { putPermission, removePermission } from './actions/permissions.js';
import { putEvents } from './actions/put-events.js';
import { cancelReplay, describeReplay, listReplays, startReplay } from './actions/replays.js';
import { deleteRule, describeRule, disableRule, enableRule, listRuleNamesByTarget, listRules, putRule } from './actions/rules.js';
import { listTagsForResource, tagResource, untagResource } from './actions/tag-resource.js';
import { listTargetsByRule, putTargets, removeTargets } from './actions/targets.js';
import { testEventPattern } from './actions/test-event-pattern.js';
import { createApiDestination, deleteApiDestination, describeApiDestination, listApiDestinations, updateApiDestination } from './actions/api-destinations.js';
import { createConnection, deauthorizeConnection, deleteConnection, describeConnection, listConnections, updateConnection } from './actions/connections.js';
import type { EventsRuntime } from './runtime.js';
import { EVENTS_WIRE } from './wire.js';

type EventsAction = (rt: EventsRuntime, input: any, ctx: CallContext) => unknown;

/** The operations of AWS's EventBridge model that concern buses, rules, targets, events and archives. */
const ACTIONS: Record<string, EventsAction> = {
  CreateArchive: createArchive,
  CreateEventBus: createEventBus,
  DeleteArchive: deleteArchive,
  DeleteEventBus: deleteEventBus,
  DeleteRule: deleteRule,
  DescribeArchive: describeArchive,
  DescribeEventBus: describeEventBus,
  DescribeRule: describeRule,
  DisableRule: disableRule,
  EnableRule: enableRule,
  ListArchives: listArchives,
  ListEventBuses: listEventBuses,
  ListRuleNamesByTarget: listRuleNamesByTarget,
  ListRules: listRules,
  ListTagsForResource: listTagsForResource,
  ListTargetsByRule: listTargetsByRule,
  PutEvents: putEvents,
  PutRule: putRule,
  PutTargets: putTargets,
  RemoveTargets: removeTargets,
  TagResource: tagResource,
  TestEventPattern: testEventPattern,
  UntagResource: untagResource,
  UpdateArchive: updateArchive,
  UpdateEventBus: updateEventBus,
  // Connections and API destinations
  CreateApiDestination: createApiDestination,
  CreateConnection: createConnection,
  DeauthorizeConnection: deauthorizeConnection,
  DeleteApiDestination: deleteApiDestination,
  DeleteConnection: deleteConnection,
  DescribeApiDestination: describeApiDestination,
  DescribeConnection: describeConnection,
  ListApiDestinations: listApiDestinations,
  ListConnections: listConnections,
  UpdateApiDestination: updateApiDestination,
  UpdateConnection: updateConnection,
  // Replays, permissions, global endpoints, partner event sources.
  CancelReplay: cancelReplay,
  DescribeReplay: describeReplay,
  ListReplays: listReplays,
  StartReplay: startReplay,
  PutPermission: putPermission,
  RemovePermission: removePermission,
  CreateEndpoint: createEndpoint,
  DeleteEndpoint: deleteEndpoint,
  DescribeEndpoint: describeEndpoint,
  ListEndpoints: listEndpoints,
  UpdateEndpoint: updateEndpoint,
  ActivateEventSource: activateEventSource,
  CreatePartnerEventSource: createPartnerEventSource,
  DeactivateEventSource: deactivateEventSource,
  DeletePartnerEventSource: deletePartnerEventSource,
  DescribeEventSource: describeEventSource,
  DescribePartnerEventSource: describePartnerEventSource,
  ListEventSources: listEventSources,
  ListPartnerEventSourceAccounts: listPartnerEventSourceAccounts,
  ListPartnerEventSources: listPartnerEventSources,
  PutPartnerEvents: putPartnerEvents,
};

export const EVENTS_ACTION_NAMES = Object.keys(ACTIONS);

/**
 * Replays, endpoints, partner event sources and permissions are not
 * implemented yet. They answer an error that says so, rather than a success that did nothing.
 */
export const EVENTS_UNIMPLEMENTED = Object.keys(eventsModel.operations).filter((name) => !(name in ACTIONS));

export function eventsService(rt: EventsRuntime): ServiceHandler {
  const actions: Record<string, Action> = {};
  for (const [name, fn] of Object.entries(ACTIONS)) actions[name] = (input, ctx) => fn(rt, input, ctx);
  for (const name of EVENTS_UNIMPLEMENTED) {
    actions[name] = () => {
      throw new AwsError('InvalidAction', `The action ${name} is not implemented by Postbox yet.`);
    };
  }
  return { wire: EVENTS_WIRE, actions };
}
