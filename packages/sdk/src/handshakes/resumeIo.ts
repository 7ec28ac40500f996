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

/**
 * How many "superseded" answers each retired topic keeps (§8.4). More than one, so that a relay
 * replaying an earlier message 1 on that topic cannot displace the answer whose proof of life is on
 * its way (each answer has its own keys); bounded, so that a flood of them costs bounded memory.
 */
export const MAX_SUPERSEDED_ANSWERS = 8

type Answer = { msg1: string; msg2: Uint8Array; result: HandshakeResult }

/** Our signed "superseded" answers (§8.4), newest last, per retired topic: a retry gets the same bytes, so its proof still opens. */
export class SupersededAnswers {
  readonly #answers = new Map<Topic, Answer[]>()

  /** The answer already given to this message 1 (by hash) on this topic, or null. */
  known(topic: Topic, msg1: string): Uint8Array | null {
    return this.#answers.get(topic)?.find((a) => a.msg1 === msg1)?.msg2 ?? null
  }

  /** Keeps only the receive key of `result` (wipes the rest); the topic's oldest answer goes past the bound. */
  set(topic: Topic, msg1: string, msg2: Uint8Array, result: HandshakeResult): void {
    result.sendKey.fill(0)
    result.resumePsk.fill(0)
    const list = this.#answers.get(topic) ?? []
    list.push({ msg1, msg2, result })
    while (list.length > MAX_SUPERSEDED_ANSWERS) wipeHandshakeResult((list.shift() as Answer).result)
    this.#answers.set(topic, list)
  }

  /** The keys that open the proof of life of a party told "superseded" on `topic` (one per answer). */
  keys(topic: Topic): Uint8Array[] {
    return (this.#answers.get(topic) ?? []).map((a) => a.result.receiveKey)
  }

  destroy(): void {
    for (const list of this.#answers.values()) for (const a of list) wipeHandshakeResult(a.result)
    this.#answers.clear()
  }
}
