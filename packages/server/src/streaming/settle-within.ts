export type Settled<T> =
  | { status: 'fulfilled'; value: T }
  | { status: 'rejected'; reason: unknown }
  | { status: 'pending' };

const PENDING: Settled<never> = { status: 'pending' };

/**
 * How `promise` stands after at most `ms` milliseconds. The timer is always cleared, and a rejection that comes
 * later is still observed by whoever awaits `promise` next (a handler is attached, so it is never unhandled).
 * One promise and one timer, without Promise.race: every streamed request passes through here.
 */
export function settleWithin<T>(promise: Promise<T>, ms: number): Promise<Settled<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms, PENDING);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ status: 'fulfilled', value });
      },
      (reason: unknown) => {
        clearTimeout(timer);
        resolve({ status: 'rejected', reason });
      },
    );
  });
}
