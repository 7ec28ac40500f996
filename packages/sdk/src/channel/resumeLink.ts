import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { ResumeIo } from '../handshakes/resumeIo.js'
import type { DeviceKey } from '../keys/device.js'
import { toBase64Url } from '../protocol/bytes.js'
import { FrameReceiver } from '../protocol/frameCipher.js'
import type { HandshakeResult } from '../protocol/handshake.js'
import type { Topic, TopicPair } from '../protocol/topics.js'
import { decodeResumeState, type ResumeState } from '../records/resumeState.js'
import type { Timers } from '../util/timers.js'
import type { ChannelState } from './state.js'

/** The part of a Channel the Resumer drives. */
export type ResumeHost = {
  saveStrict(): Promise<void>
  publish(topic: Topic, bytes: Uint8Array): void
  install(result: HandshakeResult, topics: TopicPair): void
  dropKeys(): void
  listen(): Promise<void>
  flush(): void
  readonly retry: RetryTimer
  emit(event: 'resumed'): boolean
  emit(event: 'takenOver' | 'error', e: PairlineError): boolean
}

/** What the Resumer may do to its channel (every call is a step of docs/PROTOCOL.md §8). */
export function resumeIo(c: ResumeHost): ResumeIo {
  return {
    persist: () => c.saveStrict(),
    publish: (topic, bytes) => c.publish(topic, bytes),
    install(result, topics, branch) {
      c.install(result, topics)
      if (!branch) c.emit('resumed')
    },
    dropKeys() {
      c.dropKeys()
      c.retry.start()
    },
    listen: () => void c.listen().catch(() => {}),
    flush: () => c.flush(),
    takenOver: (details) =>
      c.emit(
        'takenOver',
        new PairlineError(ErrorCode.SessionTakenOver, 'This session was taken over by another device.', {
          details,
        }),
      ),
    error: (e) => c.emit('error', e),
  }
}

/**
 * The resume state of a stored channel, checked against this installation's device key: a record
 * copied to another device (or kept after its device key was lost) cannot resume (§8.3).
 */
export function restoredResumeState(
  state: ChannelState,
  secrets: Uint8Array,
  device: DeviceKey,
): ResumeState {
  if (!state.resume) {
    throw new PairlineError(ErrorCode.ResumeRefused, 'This stored session predates device binding.', {
      details: 'Pair again: sessions stored before resume version 2 cannot resume.',
    })
  }
  if (state.resume.device.self !== toBase64Url(device.publicKey)) {
    throw new PairlineError(
      ErrorCode.DeviceKeyMismatch,
      'This stored session belongs to another device key.',
      {
        details:
          'The record was copied from another installation, or its device key was lost: in Node, pass ' +
          'deviceKey: fileDeviceKey(path) (@pairline/sdk/storage/file) to keep one key across restarts. Pair again.',
      },
    )
  }
  return decodeResumeState(state.resume, state.topics, secrets)
}

/** True when `frame` authenticates under `key`: the proof of life of a party told "superseded". */
export function opensUnder(key: Uint8Array, frame: Uint8Array, nowSeconds: number): boolean {
  const rx = new FrameReceiver({ key })
  try {
    rx.open(frame, nowSeconds).plaintext.fill(0)
    return true
  } catch {
    return false
  } finally {
    rx.destroy()
  }
}

/** Frame failures in a row (no frame authenticated in between) after which a resume runs (§8.1). */
export const RESUME_AFTER_FAILURES = 3

// Not FRAME_DECRYPT_FAILED: a frame under the live keys' epoch that does not open is damaged or
// forged (a bit-flipping relay), and no resume would change that; keys the peer moved past are
// an epoch or counter matter.
const COUNTED = new Set<string>([
  ErrorCode.FrameEpochRejected,
  ErrorCode.FrameTooOld,
  ErrorCode.CounterExhausted,
])

/** Counts frames on the live topic that fail; says when to resume. Duplicates and junk do not count. */
export class FailureCounter {
  #count = 0
  constructor(private readonly limit = RESUME_AFTER_FAILURES) {}

  reset(): void {
    this.#count = 0
  }

  /** True when this failure makes `limit` in a row (the count starts again). */
  failed(err: unknown): boolean {
    // Frames of the right shape that our keys cannot take; not duplicates, junk, or "no keys yet"
    // (a side without keys is already resuming).
    if (!COUNTED.has((err as PairlineError | undefined)?.code as string)) return false
    if (++this.#count < this.limit) return false
    this.#count = 0
    return true
  }
}

/**
 * Resends our resume message 1 while no message 2 comes (it, or the answer, may have been lost),
 * with backoff: `first`, doubling up to 60 s. On the channel's timers (by default never holding
 * the process).
 */
export class RetryTimer {
  #timer: unknown = null
  #delay: number

  constructor(
    private readonly first: number,
    private readonly fire: () => void,
    private readonly timers: Timers,
  ) {
    this.#delay = first
  }

  start(): void {
    this.stop()
    this.#delay = this.first
    this.#arm()
  }

  #arm(): void {
    this.#timer = this.timers.setTimeout(() => {
      this.#delay = Math.min(this.#delay * 2, 60_000)
      this.#arm()
      this.fire()
    }, this.#delay)
  }

  stop(): void {
    if (this.#timer !== null) this.timers.clearTimeout(this.#timer)
    this.#timer = null
  }
}
