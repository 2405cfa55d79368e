import type { Action, ServiceHandler } from '../core/service.js';
import { sqsModel } from '../protocol/models/index.js';
import { changeMessageVisibility } from './actions/change-message-visibility.js';
import { changeMessageVisibilityBatch } from './actions/change-message-visibility-batch.js';
import { createQueue } from './actions/create-queue.js';
import { deleteMessage } from './actions/delete-message.js';
import { deleteMessageBatch } from './actions/delete-message-batch.js';
import { deleteQueue } from './actions/delete-queue.js';
import { getQueueAttributes } from './actions/get-queue-attributes.js';
import { getQueueUrl } from './actions/get-queue-url.js';
import { listDeadLetterSourceQueues } from './actions/list-dead-letter-source-queues.js';
import { listQueues } from './actions/list-queues.js';
import { cancelMessageMoveTask, listMessageMoveTasks, startMessageMoveTask } from './actions/message-move-tasks.js';
import { addPermission, removePermission } from './actions/permissions.js';
import { purgeQueue } from './actions/purge-queue.js';
import { receiveMessage } from './actions/receive-message.js';
import { sendMessage } from './actions/send-message.js';
import { sendMessageBatch } from './actions/send-message-batch.js';
import { setQueueAttributes } from './actions/set-queue-attributes.js';
import { listQueueTags, tagQueue, untagQueue } from './actions/tag-queue.js';
import type { SqsRuntime } from './runtime.js';

type SqsAction = (rt: SqsRuntime, input: any, ctx: Parameters<Action>[1]) => unknown;

/** Every operation of AWS's SQS model, by its name in the model. */
const ACTIONS: Record<string, SqsAction> = {
  AddPermission: addPermission,
  CancelMessageMoveTask: cancelMessageMoveTask,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
  CreateQueue: createQueue,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  DeleteQueue: deleteQueue,
  GetQueueAttributes: getQueueAttributes,
  GetQueueUrl: getQueueUrl,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  ListMessageMoveTasks: listMessageMoveTasks,
  ListQueueTags: listQueueTags,
  ListQueues: listQueues,
  PurgeQueue: purgeQueue,
  ReceiveMessage: receiveMessage,
  RemovePermission: removePermission,
  SendMessage: sendMessage,
  SendMessageBatch: sendMessageBatch,
  SetQueueAttributes: setQueueAttributes,
  StartMessageMoveTask: startMessageMoveTask,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
};

export const SQS_ACTION_NAMES = Object.keys(ACTIONS);

/** `/<account>/<queue>` (AWS's queue URLs) or LocalStack's `/queue/<region>/<account>/<queue>`. */
const QUEUE_PATH = /^\/(?:queue\/[a-z0-9-]+\/)?\d{12}\/[A-Za-z0-9_.-]+\/?$/;

export function sqsService(rt: SqsRuntime): ServiceHandler {
  const actions: Record<string, Action> = {};
  for (const [name, fn] of Object.entries(ACTIONS)) actions[name] = (input, ctx) => fn(rt, input, ctx);
  return {
    wire: { signingName: 'sqs', model: sqsModel, jsonNamespace: 'com.amazonaws.sqs', jsonVersion: '1.0', queryCompatible: true },
    actions,
    resourcePath: QUEUE_PATH,
    serviceLevelActions: new Set(['CreateQueue', 'ListQueues']),
  };
}
