import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'

/** Runs writes one after another; a failed write becomes a STORAGE_FAILED for `onError`. */
export class SaveQueue {
  #chain: Promise<void> = Promise.resolve()

  /** Settles when every write queued so far has. */
  get settled(): Promise<void> {
    return this.#chain
  }

  push(write: () => Promise<void>, onError: (err: PairlineError) => void): Promise<void> {
    this.#chain = this.#chain.then(write).catch((cause) => {
      onError(new PairlineError(ErrorCode.StorageFailed, 'The session could not be saved.', { cause }))
    })
    return this.#chain
  }
}
