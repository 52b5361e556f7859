/**
 * The runtime's own timers, taken when the validator's modules load: before a test installs fake
 * timers (sinon's `install()`, vitest's and jest's `useFakeTimers()`), which replace the globals.
 * What the validator times (how long a lock is held, how long a self-deadlock waits for a hand-off)
 * is real time: a fake clock that a test advances by hand must neither report a lock held for the
 * minute it skipped nor stop the watchdog while the test never advances it.
 */
export const realSetTimeout = globalThis.setTimeout;
export const realClearTimeout = globalThis.clearTimeout;
export const realSetInterval = globalThis.setInterval;
export const realClearInterval = globalThis.clearInterval;
