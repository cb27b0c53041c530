// eventually: retry an assertion until it passes or a deadline expires, for tests against
// components that converge asynchronously (controllers, garbage collection).

/** eventually runs fn until it stops throwing, then returns its value; rethrows the last error on timeout. */
export async function eventually<T>(fn: () => T | Promise<T>, timeoutMs = 10_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await fn();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}
