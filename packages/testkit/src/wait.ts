/**
 * Polls `check` until it returns true, for state that has no event to wait on (a server's
 * connection count, relay gauges, the sweeper). Fails with `what` after `timeoutMs`: a generous
 * bound on a condition, never an assertion about how fast something happened.
 */
export async function waitFor(check: () => boolean, timeoutMs = 3000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 5))
  }
}

/**
 * Polls `check` until it returns true, with no deadline of its own: if the condition never holds,
 * the test runner's timeout fails the test. For tests that must not depend on the machine's speed.
 */
export async function waitUntil(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5))
}
