/**
 * Returned by `…Async` calls that succeed at once: an `async` function would allocate two promises
 * per uncontended acquisition, which is most of the cost of taking a free lock asynchronously.
 */
export const RESOLVED_TRUE: Promise<boolean> = Promise.resolve(true);
