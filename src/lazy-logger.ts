import { createRequire } from 'node:module';
import type { Logger } from 'pino';

/** pino's default levels. */
const LEVELS: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

const ignore = (): void => {};

/**
 * The server's pino logger, loaded on its first use at an enabled level. pino and its streams are tens of modules,
 * read at every start though a server at the default level (info) may write nothing for hours; calls below the
 * level cost what they cost on pino itself (a no-op). pino is CommonJS, so it loads synchronously at the first line
 * to write, which then comes out as pino writes it, in order.
 */
export function lazyLogger(level: string): Logger {
  let real: Logger | undefined;
  const load = (): Logger => (real ??= (createRequire(import.meta.url)('pino') as typeof import('pino')).pino({ level, base: undefined }));
  const threshold = level === 'silent' ? Infinity : LEVELS[level];
  // A level of pino's own besides these (or none it knows): pino decides, and throws at once for an unknown one.
  if (threshold === undefined) return load();
  return new Proxy({} as Logger, {
    get(_target, property) {
      const levelValue = typeof property === 'string' ? LEVELS[property] : undefined;
      if (real === undefined && levelValue !== undefined && levelValue < threshold) return ignore;
      const logger = load();
      const value: unknown = Reflect.get(logger, property);
      return typeof value === 'function' ? value.bind(logger) : value;
    },
    set(_target, property, value) {
      return Reflect.set(load(), property, value);
    },
  });
}
