import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { assertBytes, wipe } from './bytes.js'
import {
  FRAME_HEADER_LEN,
  FRAME_MIN_PADDED,
  MAX_FRAME_PLAINTEXT,
  parseFrame,
  writeFrameHeader,
} from './frame.js'
import { CipherState } from './noise/cipherState.js'
import { aeadDecrypt, aeadEncrypt, chachaNonce, TAG_LEN } from './noise/suite.js'
import { paddedSize, padInto, unpadView } from './padding.js'
import { type ReplaySnapshot, ReplayWindow } from './replay.js'

/** Frames per direction, across epochs. Far below 2^53, so counters stay exact JS numbers. */
export const DEFAULT_COUNTER_LIMIT = 2 ** 48
/** How many epochs a receiver may jump forward in one frame (one Rekey() per epoch skipped). */
export const MAX_EPOCH_SKIP = 8
export const MAX_EPOCH = 0xffffffff

export type RekeyPolicy = {
  /** Rekey() before a frame once this many frames used the current epoch. */
  afterMessages: number
  /** ... or once the current epoch is this old. */
  afterSeconds: number
}
export const DEFAULT_REKEY_POLICY: RekeyPolicy = { afterMessages: 1000, afterSeconds: 600 }
/** How long a receiver keeps the previous epoch's key for late frames, then wipes it. */
export const DEFAULT_GRACE_SECONDS = 60
/** (SLACK + FRAME_HEADER_LEN) % 4 === 0 */
const SLACK = 2

/** Noise §4.2 Rekey() on a bare key, returning the next key (the input is not modified). */
export function nextEpochKey(key: Uint8Array): Uint8Array {
  const cs = new CipherState(key)
  cs.rekey()
  const out = cs.exportKey() as Uint8Array
  cs.destroy()
  return out
}

export type SenderState = {
  key: Uint8Array
  epoch: number
  counter: number
  epochStartedAt: number
  messagesInEpoch: number
}

/**
 * One direction's sending half: pads, picks the next counter, rekeys on schedule, seals.
 * The old key is wiped at each rekey, so a key stolen now cannot read earlier frames.
 */
let readSender: (tx: FrameSender) => SenderState
let readReceiver: (rx: FrameReceiver) => ReceiverState

/**
 * The full state of a sender or receiver, keys included (the caller wipes them). Not part of any
 * entry point: no public API returns key bytes; tests and the vectors generator import it here.
 */
export const senderState = (tx: FrameSender): SenderState => readSender(tx)
export const receiverState = (rx: FrameReceiver): ReceiverState => readReceiver(rx)

export class FrameSender {
  #s: SenderState
  readonly #policy: RekeyPolicy
  readonly #limit: number

  constructor(o: {
    key: Uint8Array
    nowSeconds: number
    policy?: RekeyPolicy
    counterLimit?: number
    state?: Omit<SenderState, 'key'>
  }) {
    assertBytes(o.key, 32, 'transport key')
    this.#policy = o.policy ?? DEFAULT_REKEY_POLICY
    this.#limit = o.counterLimit ?? DEFAULT_COUNTER_LIMIT
    this.#s = {
      epoch: 0,
      counter: 0,
      epochStartedAt: o.nowSeconds,
      messagesInEpoch: 0,
      ...o.state,
      key: o.key.slice(),
    }
  }

  get epoch(): number {
    return this.#s.epoch
  }

  get counter(): number {
    return this.#s.counter
  }

  seal(plaintext: Uint8Array, nowSeconds: number): Uint8Array {
    const s = this.#s
    if (s.key.length === 0) throw new PairlineError(ErrorCode.SessionClosed, 'This sender was destroyed.')
    if (plaintext.length > MAX_FRAME_PLAINTEXT) {
      throw new PairlineError(ErrorCode.PayloadTooLarge, 'The message is too large for one frame.', {
        details: `${plaintext.length} bytes; the limit is ${MAX_FRAME_PLAINTEXT}`,
      })
    }
    if (s.counter >= this.#limit) {
      throw new PairlineError(ErrorCode.CounterExhausted, 'This session has sent its last frame.', {
        details: 'Resume the session to get fresh keys.',
      })
    }
    const due =
      s.messagesInEpoch >= this.#policy.afterMessages ||
      nowSeconds - s.epochStartedAt >= this.#policy.afterSeconds
    if (due && s.epoch >= MAX_EPOCH) {
      // Epochs never wrap (a receiver would take epoch 0 for an old one): no key past its policy.
      throw new PairlineError(ErrorCode.CounterExhausted, 'This session has used its last epoch.', {
        details: 'Resume the session to get fresh keys.',
      })
    }
    if (due) {
      const next = nextEpochKey(s.key)
      wipe(s.key)
      s.key = next
      s.epoch++
      s.epochStartedAt = nowSeconds
      s.messagesInEpoch = 0
    }
    // One buffer per frame, padded and encrypted in place: no plaintext copy is left to wipe. Its
    // first SLACK bytes are not the frame's: they put the padded plaintext (after the 14-byte
    // header) on a 4-byte boundary, where noble's ChaCha20 XORs a word at a time.
    const size = paddedSize(plaintext, MAX_FRAME_PLAINTEXT, FRAME_MIN_PADDED)
    const frame = new Uint8Array(SLACK + FRAME_HEADER_LEN + size + TAG_LEN).subarray(SLACK)
    writeFrameHeader(frame, s)
    const body = frame.subarray(FRAME_HEADER_LEN)
    padInto(body, plaintext)
    aeadEncrypt(
      s.key,
      chachaNonce(s.counter),
      frame.subarray(0, FRAME_HEADER_LEN),
      body.subarray(0, size),
      body,
    )
    s.counter++
    s.messagesInEpoch++
    return frame
  }

  static {
    readSender = (tx) => ({ ...tx.#s, key: tx.#s.key.slice() })
  }

  destroy(): void {
    wipe(this.#s.key)
    this.#s.key = new Uint8Array(0)
  }
}

type EpochKey = { epoch: number; key: Uint8Array }

export type ReceiverState = {
  current: EpochKey
  previous: (EpochKey & { expiresAt: number }) | null
  window: ReplaySnapshot
}

export type OpenedFrame = { plaintext: Uint8Array; epoch: number; counter: number }

/**
 * One direction's receiving half. Pipeline (PROTOCOL.md §7.4): parse, read-only replay pre-check,
 * pick the key by epoch (deriving forward keys on a scratch copy), AEAD, unpad, then test-and-set
 * the window and commit the epoch. Any failure leaves the state exactly as it was.
 */
export class FrameReceiver {
  #current: EpochKey
  #previous: (EpochKey & { expiresAt: number }) | null = null
  readonly #window: ReplayWindow
  readonly #grace: number

  constructor(o: { key: Uint8Array; graceSeconds?: number; counterLimit?: number; state?: ReceiverState }) {
    assertBytes(o.key, 32, 'transport key')
    this.#grace = o.graceSeconds ?? DEFAULT_GRACE_SECONDS
    const limit = o.counterLimit ?? DEFAULT_COUNTER_LIMIT
    if (o.state) {
      this.#current = { epoch: o.state.current.epoch, key: o.state.current.key.slice() }
      this.#previous = o.state.previous ? { ...o.state.previous, key: o.state.previous.key.slice() } : null
      this.#window = ReplayWindow.restore(limit, o.state.window)
    } else {
      this.#current = { epoch: 0, key: o.key.slice() }
      this.#window = new ReplayWindow(limit)
    }
  }

  get epoch(): number {
    return this.#current.epoch
  }

  get hasPreviousKey(): boolean {
    return this.#previous !== null
  }

  /** When the previous epoch's key must be wiped (call tick() then), or null when none is kept. */
  get previousKeyExpiresAt(): number | null {
    return this.#previous?.expiresAt ?? null
  }

  /** Wipes the previous epoch's key once its grace period is over. */
  tick(nowSeconds: number): void {
    if (this.#previous && nowSeconds >= this.#previous.expiresAt) {
      wipe(this.#previous.key)
      this.#previous = null
    }
  }

  open(frame: Uint8Array, nowSeconds: number): OpenedFrame {
    if (this.#current.key.length === 0)
      throw new PairlineError(ErrorCode.SessionClosed, 'This receiver was destroyed.')
    this.tick(nowSeconds)
    const f = parseFrame(frame)
    const verdict = this.#window.check(f.counter)
    if (verdict !== 'ok') throw replayError(verdict)

    const cur = this.#current
    let key: Uint8Array
    let advance: { previous: Uint8Array; current: Uint8Array } | null = null
    if (f.epoch === cur.epoch) {
      key = cur.key
    } else if (this.#previous && f.epoch === this.#previous.epoch) {
      key = this.#previous.key
    } else if (f.epoch > cur.epoch && f.epoch - cur.epoch <= MAX_EPOCH_SKIP) {
      // Derive forward on scratch copies; nothing is committed unless the frame authenticates.
      let prev: Uint8Array = cur.key.slice()
      let next: Uint8Array = nextEpochKey(prev)
      for (let e = cur.epoch + 1; e < f.epoch; e++) {
        wipe(prev)
        prev = next
        next = nextEpochKey(prev)
      }
      advance = { previous: prev, current: next }
      key = next
    } else {
      throw new PairlineError(
        ErrorCode.FrameEpochRejected,
        'The frame belongs to an epoch this side no longer holds.',
        {
          details: `frame epoch ${f.epoch}, current epoch ${cur.epoch}`,
        },
      )
    }

    let plaintext: Uint8Array
    try {
      const padded = aeadDecrypt(key, chachaNonce(f.counter), f.header, f.ciphertext)
      try {
        // A view: the rest of `padded` is the length prefix and zeros, nothing to wipe.
        plaintext = unpadView(padded, FRAME_MIN_PADDED)
      } catch (err) {
        wipe(padded)
        throw err
      }
    } catch (err) {
      if (advance) wipe(advance.previous, advance.current)
      throw err
    }

    const set = this.#window.accept(f.counter)
    if (set !== 'ok') {
      if (advance) wipe(advance.previous, advance.current)
      wipe(plaintext)
      throw replayError(set)
    }
    if (advance) {
      wipe(cur.key)
      if (this.#previous) wipe(this.#previous.key)
      this.#previous = { epoch: f.epoch - 1, key: advance.previous, expiresAt: nowSeconds + this.#grace }
      this.#current = { epoch: f.epoch, key: advance.current }
    }
    return { plaintext, epoch: f.epoch, counter: f.counter }
  }

  static {
    readReceiver = (rx) => ({
      current: { epoch: rx.#current.epoch, key: rx.#current.key.slice() },
      previous: rx.#previous ? { ...rx.#previous, key: rx.#previous.key.slice() } : null,
      window: rx.#window.snapshot(),
    })
  }

  destroy(): void {
    wipe(this.#current.key, this.#previous?.key)
    this.#current = { epoch: this.#current.epoch, key: new Uint8Array(0) }
    this.#previous = null
    this.#window.reset()
  }
}

function replayError(verdict: 'replayed' | 'too-old' | 'over-limit'): PairlineError {
  switch (verdict) {
    case 'replayed':
      return new PairlineError(ErrorCode.FrameReplayed, 'This frame was already received.')
    case 'too-old':
      return new PairlineError(ErrorCode.FrameTooOld, 'The frame is older than the replay window.')
    case 'over-limit':
      return new PairlineError(ErrorCode.CounterExhausted, 'The frame counter is at or above the limit.')
  }
}
