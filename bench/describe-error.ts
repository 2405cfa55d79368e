// Small helpers shared by the load generator's tasks.

/** At most this many distinct error texts are kept per run, enough to explain failures. */
export const MAX_ERROR_SAMPLES = 5;

/** Pause after a failed call so an erroring server does not turn loops into busy spins. */
export const ERROR_BACKOFF_MS = 20;

export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 400);
  return String(error).slice(0, 400);
}
