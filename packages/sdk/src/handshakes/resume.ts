import { sha256 } from '@noble/hashes/sha2'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { DeviceKey } from '../keys/device.js'
import { fromBase64Url, toBase64Url, wipe } from '../protocol/bytes.js'
import { type Role, wipeHandshakeResult } from '../protocol/handshake.js'
import { generateKeyPair, type RandomBytes } from '../protocol/noise/dh.js'
import {
  type ResumeInitiator,
  type ResumeResponder,
  readResumeInit,
  startResume,
} from '../protocol/resume.js'
import {
  decodeResumeInit,
  decodeResumeReply,
  encodeResumeInit,
  encodeResumeReply,
  MAX_RESUME_ATTEMPT,
} from '../protocol/resumePayload.js'
import type { Topic } from '../protocol/topics.js'
import {
  adopted,
  answered,
  committed,
  type Generation,
  generations,
  type ResumeState,
  wipeDropped,
  wipeResumeState,
} from '../records/resumeState.js'
import { checkPeerSignature, peerDevice, resumeRefused, signInit, signReply } from './resumeAuth.js'
import { type ResumeIo, SupersededAnswers } from './resumeIo.js'
import { generationFor, recvTopicOf, sendTopicOf } from './resumeTopics.js'

type Attempt = { n: number; gen: Generation; ephemeral: Uint8Array; init: ResumeInitiator }

/**
 * The resume of one session (docs/PROTOCOL.md §8): Noise NNpsk0 under the resume psk, signed by
 * both device keys, with key confirmation. The old generation stays until the peer proves it has
 * the new one; every step the peer may rely on is persisted before the message that announces it.
 * Steps run one at a time (they await signatures and writes).
 */
export class Resumer {
  state: ResumeState
  #attempt: Attempt | null = null
  /** receive keys of our "superseded" answers, by the topic their proof would come on (§8.4) */
  readonly #superseded = new SupersededAnswers()
  #chain: Promise<void> = Promise.resolve()
  #destroyed = false
  #starting = 0

  constructor(
    private readonly role: Role,
    private readonly sessionId: Uint8Array,
    private readonly random: RandomBytes,
    private readonly device: DeviceKey,
    state: ResumeState,
    private readonly io: ResumeIo,
  ) {
    this.state = state
  }

  /** Message 1 of our attempt in progress, with its topic (sent again on reconnects and retries). */
  get pending(): { topic: Topic; message1: Uint8Array } | null {
    const a = this.#attempt
    return a ? { topic: sendTopicOf(this.role, a.gen.topics), message1: a.init.message1 } : null
  }

  /** An attempt is queued or being prepared (its number stored, message 1 signed). */
  get starting(): boolean {
    return this.#starting > 0
  }

  /** Every topic this side listens on: each generation's receive topic. */
  listenTopics(): Topic[] {
    return [...new Set(generations(this.state).map((g) => recvTopicOf(this.role, g.topics)))]
  }

  #keys(): { peer: Uint8Array; self: Uint8Array } {
    return { peer: peerDevice(this.state), self: this.device.publicKey }
  }

  #run(step: () => Promise<void>): Promise<void> {
    this.#chain = this.#chain
      .then(() => (this.#destroyed ? undefined : step()))
      .catch((err) => {
        if (this.#destroyed) return
        const e = err instanceof PairlineError ? err : new PairlineError(ErrorCode.InternalError, String(err))
        // Frames and handshake messages that fail are dropped silently (no oracle); the rest is news.
        if (e.code === ErrorCode.ResumeRefused || e.code === ErrorCode.StorageFailed) this.io.error(e)
      })
    return this.#chain
  }

  /** Moves to `next` once it is stored; if the write fails, stays where it was (and rethrows). */
  async #apply(next: ResumeState): Promise<void> {
    const before = this.state
    this.state = next
    try {
      await this.io.persist()
    } catch (err) {
      this.state = before
      wipeDropped(next, before)
      throw err
    }
    wipeDropped(before, next)
  }

  /** Starts a new attempt (after a restart, when frames keep failing, or after a refused answer). */
  start(): Promise<void> {
    this.#starting++
    const done = () => {
      this.#starting--
    }
    return this.#run(async () => {
      peerDevice(this.state) // without the peer's device key no answer could be checked
      const s = this.state
      if (s.attempt >= MAX_RESUME_ATTEMPT)
        throw resumeRefused('This session has used up its resume attempts.')
      // The candidate if we hold one: the peer may already have adopted it (§8.2).
      const gen = s.candidate ?? s.current
      const n = s.attempt + 1
      await this.#apply({ ...s, attempt: n }) // an attempt number is never used twice, even across a crash
      const e = generateKeyPair(this.random)
      try {
        const context = { sessionId: this.sessionId, gen: gen.gen, n, initiatorEphemeral: e.publicKey }
        const sig = await signInit(this.device, context)
        if (this.#destroyed) return
        const init = startResume({
          role: this.role,
          sessionId: this.sessionId,
          resumePsk: gen.psk,
          payload: encodeResumeInit({ n, sig }),
          randomBytes: this.random,
          e,
        })
        this.#dropAttempt()
        this.#attempt = { n, gen, ephemeral: e.publicKey.slice(), init }
        this.io.dropKeys()
        this.io.publish(sendTopicOf(this.role, gen.topics), init.message1)
      } finally {
        wipe(e.privateKey)
      }
    }).finally(done)
  }

  /** Our message 1 again (a reconnect, or the retry timer: message 1 or 2 may have been lost). */
  resend(): void {
    const p = this.pending
    if (p) this.io.publish(p.topic, p.message1)
  }

  #dropAttempt(): void {
    this.#attempt?.init.destroy()
    this.#attempt = null
  }

  /** A frame authenticated under the live keys: the candidate, if any, is confirmed (§8.2). */
  confirmed(): void {
    if (!this.state.candidate) return
    const before = this.state
    this.state = committed(before)
    wipeDropped(before, this.state)
    this.io.listen()
    // Memory may run ahead of storage here: the stored state (candidate and current) is a safe superset.
    void this.#run(() => this.io.persist())
    this.io.flush()
  }

  /** A resume message 1 on `topic`. */
  onInit(topic: Topic, message1: Uint8Array): Promise<void> {
    return this.#run(async () => {
      const found = generationFor(this.state, this.role, topic)
      if (!found) return
      // Throws (dropped without a reply) unless the message authenticates under that psk.
      const rd = readResumeInit({
        role: this.role,
        sessionId: this.sessionId,
        resumePsk: found.g.psk,
        message1,
        randomBytes: this.random,
      })
      try {
        await this.#onInit(found.g, found.kind, rd, message1, topic)
      } finally {
        rd.destroy()
      }
    })
  }

  async #onInit(g: Generation, kind: string, rd: ResumeResponder, message1: Uint8Array, topic: Topic) {
    const init = decodeResumeInit(rd.payload)
    const context = {
      sessionId: this.sessionId,
      gen: g.gen,
      n: init.n,
      initiatorEphemeral: rd.initiatorEphemeral,
    }
    await checkPeerSignature(this.#keys(), context, { kind: 'init', init })
    if (kind === 'retired') return this.#answerSuperseded(g, context, rd, topic, message1)
    if (kind === 'candidate') this.confirmed() // the peer resumes under it: it holds it
    const mine = this.#attempt
    // Both sides resuming at once on the same generation: the wallet's attempt wins.
    if (mine && mine.gen.gen === this.state.current.gen && this.role === 'wallet') return
    const hash = toBase64Url(sha256(message1))
    if (init.n <= this.state.peerAttempt) {
      // A replay, or an older attempt released late: the same message 1 gets the same answer.
      const a = this.state.answered
      const msg2 = a?.msg1 === hash ? fromBase64Url(a.msg2) : null
      if (msg2) this.io.publish(sendTopicOf(this.role, this.state.current.topics), msg2)
      return
    }
    const sig = await signReply(this.device, context, false)
    if (this.#destroyed) return
    const { message2, result } = rd.reply(encodeResumeReply({ sig, superseded: false }))
    const next = { topics: result.topics, psk: result.resumePsk.slice() }
    try {
      // The responder's commit point: the answer is stored before it is sent (§8.2).
      await this.#apply(answered(this.state, init.n, next, { msg1: hash, msg2: toBase64Url(message2) }))
    } catch (err) {
      wipeHandshakeResult(result)
      throw err
    }
    this.#dropAttempt() // ours lost the tie, or is moot: the peer has just shown it holds this generation
    this.io.listen()
    this.io.install(result, next.topics)
    this.io.publish(sendTopicOf(this.role, this.state.current.topics), message2)
  }

  /** A resume on a superseded generation: a clone, or the real party after a clone (§8.4). */
  async #answerSuperseded(
    g: Generation,
    context: Parameters<typeof signReply>[1],
    rd: ResumeResponder,
    topic: Topic,
    message1: Uint8Array,
  ) {
    const hash = toBase64Url(sha256(message1))
    const known = this.#superseded.known(topic, hash)
    if (known) return this.io.publish(sendTopicOf(this.role, g.topics), known) // a retry or a replay
    const sig = await signReply(this.device, context, true)
    if (this.#destroyed) return
    const { message2, result } = rd.reply(encodeResumeReply({ sig, superseded: true }))
    this.#superseded.set(topic, hash, message2, result)
    this.io.publish(sendTopicOf(this.role, g.topics), message2)
  }

  /** The keys that open the proof of life of a party told "superseded" on `topic` (none if not told). */
  branchKeys(topic: Topic): Uint8Array[] {
    return this.#superseded.keys(topic)
  }

  /** The party told "superseded" proved it is live: two parties hold one side's secrets (§8.4). */
  branchConfirmed(): void {
    this.io.takenOver('Another device resumed this session with a copy of its secrets.')
  }

  /** A resume message 2 on `topic`. */
  onReply(topic: Topic, message2: Uint8Array): Promise<void> {
    return this.#run(async () => {
      const a = this.#attempt
      if (!a || recvTopicOf(this.role, a.gen.topics) !== topic) return
      const { payload, result } = a.init.readReply(message2) // throws on anything not from the peer
      // The attempt stays pending until this step is decided: a retry meanwhile resends message 1
      // (answered from the peer's cache) instead of starting another attempt.
      try {
        const reply = decodeResumeReply(payload)
        const context = { sessionId: this.sessionId, gen: a.gen.gen, n: a.n, initiatorEphemeral: a.ephemeral }
        await checkPeerSignature(this.#keys(), context, { kind: 'reply', reply })
        if (reply.superseded) {
          // Someone else resumed with our secrets. The branch keys carry only the close that ends
          // the session (the proof the other side waits for), nothing unacknowledged.
          this.io.install(result, a.gen.topics, true)
          return this.io.takenOver('This session was resumed elsewhere with a copy of its secrets.')
        }
        // The initiator's commit point: the answer is authenticated; store, then use the new keys.
        await this.#apply(
          adopted(this.state, a.gen, { topics: result.topics, psk: result.resumePsk.slice() }),
        )
      } catch (err) {
        wipeHandshakeResult(result)
        throw err
      } finally {
        if (this.#attempt === a) this.#dropAttempt()
      }
      this.io.listen()
      this.io.install(result, this.state.current.topics)
      this.io.flush()
    })
  }

  destroy(): void {
    this.#destroyed = true
    this.#dropAttempt()
    this.#superseded.destroy()
    wipeResumeState(this.state)
  }
}
