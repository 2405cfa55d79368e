export { startPostbox, type Postbox, type PostboxOptions } from './app.js';
export { ManualClock, systemClock, type Clock } from './core/clock.js';
export type { PostboxConfigFile, QueueConfig } from './config/file.js';
