import type { PairlineError } from '../errors/base.js'
import type { HandshakeResult } from '../protocol/handshake.js'
import { wipeHandshakeResult } from '../protocol/handshake.js'
import type { Topic, TopicPair } from '../protocol/topics.js'

/** What the resume engine asks of the channel that owns it. */
export type ResumeIo = {
  /** Writes the channel state (with `state`) durably; rejects when the write failed. */
  persist(): Promise<void>
  publish(topic: Topic, bytes: Uint8Array): void
  /** New transport keys; frames now go on `topics` (a `branch` only carries the final close). */
  install(result: HandshakeResult, topics: TopicPair, branch?: boolean): void
  /** Our attempt starts: no transport frame until it completes. */
  dropKeys(): void
  /** The set of topics to listen on changed (see `listenTopics`). */
  listen(): void
  /** Keys confirmed or adopted: send what is unacknowledged (or an ack, so the peer commits too). */
  flush(): void
  /** Someone else resumed with this session's secrets (§8.4): end the session. */
  takenOver(details: string): void
  error(e: PairlineError): void
}

/** Our signed "superseded" answers (§8.4), one per retired topic: a retry gets the same bytes, so its proof still opens. */
export class SupersededAnswers {
  readonly #answers = new Map<Topic, { msg1: string; msg2: Uint8Array; result: HandshakeResult }>()

  /** The answer already given to this message 1 (by hash) on this topic, or null. */
  known(topic: Topic, msg1: string): Uint8Array | null {
    const a = this.#answers.get(topic)
    return a?.msg1 === msg1 ? a.msg2 : null
  }

  /** Keeps only the receive key of `result` (wipes the rest), replacing the topic's older answer. */
  set(topic: Topic, msg1: string, msg2: Uint8Array, result: HandshakeResult): void {
    const old = this.#answers.get(topic)
    if (old) wipeHandshakeResult(old.result)
    result.sendKey.fill(0)
    result.resumePsk.fill(0)
    this.#answers.set(topic, { msg1, msg2, result })
  }

  /** The key that opens the proof of life of the party told "superseded" on `topic`. */
  key(topic: Topic): Uint8Array | null {
    return this.#answers.get(topic)?.result.receiveKey ?? null
  }

  destroy(): void {
    for (const a of this.#answers.values()) wipeHandshakeResult(a.result)
    this.#answers.clear()
  }
}
