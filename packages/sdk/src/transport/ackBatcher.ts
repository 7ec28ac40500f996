import { MAX_BATCH } from '@pairline/wire'
import type { Ack } from './request.js'
import { chunks } from './topic.js'

export type AckBatcher = {
  add(ack: Ack): void
  /** Sends what is pending now: called before any other request, so frames keep the call order. */
  flush(): void
  /** Drops what is pending (the connection is gone; the relay will deliver those messages again). */
  clear(): void
}

/** Collects the acks of one tick and hands them to `send` in frames of at most 64. */
export function createAckBatcher(send: (acks: Ack[]) => void): AckBatcher {
  let pending: Ack[] = []
  let scheduled = false

  function flush(): void {
    scheduled = false
    if (pending.length === 0) return
    const batch = pending
    pending = []
    for (const part of chunks(batch, MAX_BATCH)) send(part)
  }

  return {
    add(ack) {
      pending.push(ack)
      if (scheduled) return
      scheduled = true
      queueMicrotask(flush)
    },
    flush,
    clear() {
      pending = []
    },
  }
}
