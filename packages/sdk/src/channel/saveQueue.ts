/**
 * Runs writes one after another, in the order they were queued. Each task runs when the one before
 * it has settled, so a task that reads the current state writes the latest one.
 */
export class SaveQueue {
  #chain: Promise<unknown> = Promise.resolve()

  /** Settles when every task queued so far has (whatever their outcome). */
  get settled(): Promise<void> {
    return this.#chain.then(
      () => {},
      () => {},
    )
  }

  /** Queues `task`; its result (or failure) is the caller's, the queue goes on either way. */
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#chain.then(task)
    this.#chain = result.catch(() => {})
    return result
  }
}
