import type { RpcRequest } from '../messages/bodies.js'
import { requestHash } from '../messages/requestId.js'
import type { RequestOutcome } from './types.js'
import type { RequestView } from './view/types.js'

/**
 * A received request as the wallet's record keeps it (§14.5): `pending` (written before it is
 * shown) or `executing` (written before the account is asked), with the signed transaction's hash
 * and bytes once signed (written before it is broadcast).
 */
export type StoredRequest = {
  req: RpcRequest
  state: 'pending' | 'executing'
  tx?: { hash: `0x${string}`; raw: `0x${string}` }
}

/** In memory: the stored part, the hash answers carry, and the decision (kept by its handles). */
export type Entry = StoredRequest & {
  hash: string
  /** the decoded view (§14.6): built when it arrives, rebuilt from `req` after a restart */
  view?: RequestView
  decision?: Promise<RequestOutcome>
  timer?: unknown
}

/** What the wallet's record holds about requests. */
export type JournalRecord = {
  requests: StoredRequest[]
  /** ids answered, with the seq of the answer; dropped once the dApp acknowledged that seq */
  answered: [string, number][]
}

/**
 * The wallet's requests: every one received and not yet answered, and the ids answered whose
 * answer the dApp has not acknowledged (a repeat of one of those is not shown again).
 */
export class RequestJournal {
  readonly #entries = new Map<string, Entry>()
  readonly #answered = new Map<string, number>()

  constructor(stored: Partial<JournalRecord> & { pending?: RpcRequest[] | undefined }) {
    // Records written before the journal kept only the requests waiting for the user.
    for (const req of stored.pending ?? []) this.#entries.set(req.id, entryOf({ req, state: 'pending' }))
    for (const s of stored.requests ?? []) this.#entries.set(s.req.id, entryOf(s))
    // 0: written while its answer was being sent (the answer's seq was not known yet)
    for (const [id, seq] of stored.answered ?? []) this.#answered.set(id, Math.max(seq, 1))
  }

  /** Seen before: being handled, or answered and not yet acknowledged. */
  has(id: string): boolean {
    return this.#entries.has(id) || this.#answered.has(id)
  }

  get(id: string): Entry | undefined {
    return this.#entries.get(id)
  }

  add(req: RpcRequest): Entry {
    const e = entryOf({ req, state: 'pending' })
    this.#entries.set(req.id, e)
    return e
  }

  entries(state: StoredRequest['state']): Entry[] {
    return [...this.#entries.values()].filter((e) => e.state === state)
  }

  /** Moves `id` from handled to answered; the write that sends the answer holds both changes. */
  answering(id: string): Entry | undefined {
    const e = this.#entries.get(id)
    this.#entries.delete(id)
    this.#answered.set(id, 0)
    return e
  }

  /** The answer was sent with `seq`; or it could not be written (`undefined`): undo. */
  answered(id: string, seq: number | undefined, e: Entry | undefined): void {
    if (seq !== undefined) return void this.#answered.set(id, seq)
    this.#answered.delete(id)
    if (e) this.#entries.set(id, e)
  }

  /** The dApp acknowledged our messages up to `ack`: it has those answers, forget their ids. */
  prune(ack: number): void {
    for (const [id, seq] of this.#answered) if (seq > 0 && seq <= ack) this.#answered.delete(id)
  }

  record(): JournalRecord {
    return {
      requests: [...this.#entries.values()].map(({ req, state, tx }) =>
        tx ? { req, state, tx } : { req, state },
      ),
      answered: [...this.#answered],
    }
  }
}

function entryOf(s: StoredRequest): Entry {
  return { ...s, hash: requestHash(s.req) }
}
