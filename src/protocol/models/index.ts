import { readFileSync } from 'node:fs';
import type { ServiceModel } from '../shapes.js';

/** Loads a generated model shipped next to this file (see scripts/generate-models.mjs). */
function load(name: string): ServiceModel {
  return JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8')) as ServiceModel;
}

export const sqsModel = load('sqs');
export const stsModel = load('sts');
export const snsModel = load('sns');
export const eventsModel = load('events');
