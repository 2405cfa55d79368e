import { AwsError } from '../core/errors.js';
import type { Action, CallContext, ServiceHandler } from '../core/service.js';
import { snsModel } from '../protocol/models/index.js';
import { confirmSubscription } from './actions/confirm-subscription.js';
import { createTopic } from './actions/create-topic.js';
import { getDataProtectionPolicy, putDataProtectionPolicy } from './actions/data-protection-policy.js';
import { deleteTopic } from './actions/delete-topic.js';
import { getTopicAttributes } from './actions/get-topic-attributes.js';
import { listSubscriptions, listSubscriptionsByTopic } from './actions/list-subscriptions.js';
import { listTopics } from './actions/list-topics.js';
import { addPermission, removePermission } from './actions/permissions.js';
import { publish } from './actions/publish.js';
import { publishBatch } from './actions/publish-batch.js';
import { setTopicAttributes } from './actions/set-topic-attributes.js';
import { subscribe } from './actions/subscribe.js';
import { getSubscriptionAttributes, setSubscriptionAttributes } from './actions/subscription-attributes.js';
import { listTagsForResource, tagResource, untagResource } from './actions/tag-resource.js';
import { unsubscribe } from './actions/unsubscribe.js';
import {
  createPlatformApplication,
  deletePlatformApplication,
  getPlatformApplicationAttributes,
  listPlatformApplications,
  setPlatformApplicationAttributes,
} from './actions/platform-applications.js';
import {
  createPlatformEndpoint,
  deleteEndpoint,
  getEndpointAttributes,
  listEndpointsByPlatformApplication,
  setEndpointAttributes,
} from './actions/platform-endpoints.js';
import { checkIfPhoneNumberIsOptedOut, getSMSAttributes, listPhoneNumbersOptedOut, optInPhoneNumber, setSMSAttributes } from './actions/sms.js';
import {
  createSMSSandboxPhoneNumber,
  deleteSMSSandboxPhoneNumber,
  getSMSSandboxAccountStatus,
  listOriginationNumbers,
  listSMSSandboxPhoneNumbers,
  verifySMSSandboxPhoneNumber,
} from './actions/sms-sandbox.js';
import type { SnsRuntime } from './runtime.js';
import { SNS_WIRE } from './wire.js';

type SnsAction = (rt: SnsRuntime, input: any, ctx: CallContext) => unknown;

/** The operations of AWS's SNS model: topics and subscriptions, then mobile push and SMS. */
const ACTIONS: Record<string, SnsAction> = {
  AddPermission: addPermission,
  ConfirmSubscription: confirmSubscription,
  CreateTopic: createTopic,
  DeleteTopic: deleteTopic,
  GetDataProtectionPolicy: getDataProtectionPolicy,
  GetSubscriptionAttributes: getSubscriptionAttributes,
  GetTopicAttributes: getTopicAttributes,
  ListSubscriptions: listSubscriptions,
  ListSubscriptionsByTopic: listSubscriptionsByTopic,
  ListTagsForResource: listTagsForResource,
  ListTopics: listTopics,
  Publish: publish,
  PublishBatch: publishBatch,
  PutDataProtectionPolicy: putDataProtectionPolicy,
  RemovePermission: removePermission,
  SetSubscriptionAttributes: setSubscriptionAttributes,
  SetTopicAttributes: setTopicAttributes,
  Subscribe: subscribe,
  TagResource: tagResource,
  Unsubscribe: unsubscribe,
  UntagResource: untagResource,

  // Mobile push: platform applications and endpoints (actions/platform-*.ts).
  CreatePlatformApplication: createPlatformApplication,
  CreatePlatformEndpoint: createPlatformEndpoint,
  DeleteEndpoint: deleteEndpoint,
  DeletePlatformApplication: deletePlatformApplication,
  GetEndpointAttributes: getEndpointAttributes,
  GetPlatformApplicationAttributes: getPlatformApplicationAttributes,
  ListEndpointsByPlatformApplication: listEndpointsByPlatformApplication,
  ListPlatformApplications: listPlatformApplications,
  SetEndpointAttributes: setEndpointAttributes,
  SetPlatformApplicationAttributes: setPlatformApplicationAttributes,
  // SMS: settings, opt-outs, the SMS sandbox and origination numbers (actions/sms*.ts).
  CheckIfPhoneNumberIsOptedOut: checkIfPhoneNumberIsOptedOut,
  CreateSMSSandboxPhoneNumber: createSMSSandboxPhoneNumber,
  DeleteSMSSandboxPhoneNumber: deleteSMSSandboxPhoneNumber,
  GetSMSAttributes: getSMSAttributes,
  GetSMSSandboxAccountStatus: getSMSSandboxAccountStatus,
  ListOriginationNumbers: listOriginationNumbers,
  ListPhoneNumbersOptedOut: listPhoneNumbersOptedOut,
  ListSMSSandboxPhoneNumbers: listSMSSandboxPhoneNumbers,
  OptInPhoneNumber: optInPhoneNumber,
  SetSMSAttributes: setSMSAttributes,
  VerifySMSSandboxPhoneNumber: verifySMSSandboxPhoneNumber,
};

export const SNS_ACTION_NAMES = Object.keys(ACTIONS);

/**
 * Model operations without an action (none today: all 42 have one) answer InvalidAction with a message that says
 * so, rather than a success that did nothing.
 */
export const SNS_UNIMPLEMENTED = Object.keys(snsModel.operations).filter((name) => !(name in ACTIONS));

export function snsService(rt: SnsRuntime): ServiceHandler {
  const actions: Record<string, Action> = {};
  for (const [name, fn] of Object.entries(ACTIONS)) actions[name] = (input, ctx) => fn(rt, input, ctx);
  for (const name of SNS_UNIMPLEMENTED) {
    actions[name] = () => {
      throw new AwsError('InvalidAction', `The action ${name} is not implemented by Postbox yet.`);
    };
  }
  return { wire: SNS_WIRE, actions };
}
