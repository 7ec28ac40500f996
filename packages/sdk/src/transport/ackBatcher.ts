import { MAX_BATCH } from '@pairline/wire'
import type { Timers } from '../util/timers.js'
import type { Ack } from './request.js'
import { chunks } from './topic.js'

/**
 * How long an ack waits for the client's next request to ride with (PROTOCOL.md §13.9): as long as
 * a session's lone ack waits for outgoing traffic (§14.1), so a message whose receipt needs one has
 * its relay ACK go out with it.
 */
export const ACK_HOLD_MS = 50

export type AckBatcher = {
  /** True while acks wait. */
  readonly pending: boolean
  add(ack: Ack): void
  /** Sends what is pending now: called before any other request, so frames keep the call order. */
  flush(): void
  /** Drops what is pending (the connection is gone; the relay will deliver those messages again). */
  clear(): void
}

/**
 * Holds acks until the next request (which sends them first) or ACK_HOLD_MS, then hands them to
 * `send` in frames of at most 64. An ack never carries anything the client must keep (§13.3.1):
 * held and lost with its connection, the relay redelivers and the receiver drops the duplicate.
 */
export function createAckBatcher(send: (acks: Ack[]) => void, timers: Timers): AckBatcher {
  let held: Ack[] = []
  let timer: unknown = null

  function flush(): void {
    if (timer !== null) timers.clearTimeout(timer)
    timer = null
    if (held.length === 0) return
    const batch = held
    held = []
    for (const part of chunks(batch, MAX_BATCH)) send(part)
  }

  return {
    get pending() {
      return held.length > 0
    },
    add(ack) {
      held.push(ack)
      timer ??= timers.setTimeout(flush, ACK_HOLD_MS)
    },
    flush,
    clear() {
      held = []
      if (timer !== null) timers.clearTimeout(timer)
      timer = null
    },
  }
}
