/**
 * Memory for stored MESSAGE frames: regions bump-allocated out of shared 256 KiB slabs, instead of
 * one ArrayBuffer per message.
 *
 * Why: every ArrayBuffer is a JS object plus a zeroed, malloc'd backing store that V8 counts as
 * external memory and frees only when it sweeps array buffers after a GC. One per message (with
 * the two of the OK replies, see okFrame() in connection.ts) made the relay's scavenges more
 * frequent and longer than the floor's, and at 5,000 msg/s scavenge pauses are what sets the p99.
 * Measured with bench/run.ts, one round per run on a quiet machine: relay p99 4.5–6.8 ms with a
 * Uint8Array per frame, 1.9–3.9 ms with slabs and pooled OK frames (floor 2.6–5.5 ms); 12–13
 * scavenges per 4 s instead of 13–14.
 *
 * Safety: ws may still refer to a frame after send() returns (a corked socket writes on the next
 * tick; a full kernel buffer keeps it queued longer), so the bytes of a region handed out must never
 * change. They never do: allocation only moves forward, and a slab with no live frame left is
 * dropped, never reused: the GC frees it once no pending write refers to it. Moving a frame
 * (compaction) copies it and leaves the old bytes as they were.
 *
 * Compaction: one long-lived frame pins its whole slab. Each sweep (once a second), if the slabs
 * hold more than twice the live bytes plus `slackBytes`, the slabs closed at least `minAgeSweeps`
 * sweeps ago that are at most half live are handed back for evacuation: the broker moves their
 * frames with move() into slabs kept for moved frames, so long-lived frames end up together and
 * stay put. Slab memory thus stays within about twice the live bytes, plus the slack, plus the
 * slabs filled in the last couple of seconds. The mailbox limits count payload bytes, as before.
 */

/** Node's Buffer class proper (Buffer itself is a function that picks one of its ways to make one). */
const FastBuffer = (
  Buffer as unknown as { [Symbol.species]: new (b: ArrayBuffer, at: number, n: number) => Buffer }
)[Symbol.species]

/** A class, not an object literal: see Message in types.ts (V8 pretenures busy literal sites). */
class Slab {
  readonly buffer: ArrayBuffer
  /** next free offset */
  used = 0
  /** bytes of frames allocated here and not yet freed */
  live = 0
  /** sweeps since this slab stopped taking new frames; -1 while it is a current slab */
  age = -1

  constructor(bytes: number) {
    this.buffer = new ArrayBuffer(bytes)
  }
}

export type FrameSlabsOptions = {
  /** size of one slab; frames larger than 1/8 of it get a buffer of their own */
  slabBytes?: number
  /** how many sweeps a closed slab is left alone before its frames may be moved */
  minAgeSweeps?: number
  /** waste tolerated before compacting, on top of as much as is live */
  slackBytes?: number
}

export type FrameSlabsStats = {
  slabs: number
  /** bytes of all slabs */
  reserved: number
  /** bytes of live frames in slabs */
  live: number
}

export class FrameSlabs {
  readonly #slabBytes: number
  readonly #minAge: number
  readonly #slack: number
  readonly #slabs = new Map<ArrayBufferLike, Slab>()
  /** where new frames go */
  #fresh: Slab | null = null
  /** where moved (long-lived) frames go */
  #moved: Slab | null = null
  #live = 0

  constructor(options: FrameSlabsOptions = {}) {
    this.#slabBytes = options.slabBytes ?? 256 * 1024
    this.#minAge = options.minAgeSweeps ?? 2
    this.#slack = options.slackBytes ?? 4 * 1024 * 1024
  }

  /** `length` bytes nobody else holds; the caller fills them before sharing the view. */
  alloc(length: number): Uint8Array {
    if (length > this.#slabBytes >> 3) return new Uint8Array(length)
    const slab =
      this.#fresh && this.#fresh.used + length <= this.#slabBytes ? this.#fresh : this.#open('fresh')
    return this.#take(slab, length)
  }

  /** Returns a frame's bytes; frames not from these slabs (own buffers, foreign frames) are ignored. */
  free(frame: Uint8Array): void {
    const slab = this.#slabs.get(frame.buffer)
    if (!slab) return
    slab.live -= frame.byteLength
    this.#live -= frame.byteLength
    if (slab.live === 0 && slab.age >= 0) this.#slabs.delete(slab.buffer)
  }

  /**
   * Called once a second. Ages closed slabs and, when there is enough waste to be worth it, returns
   * the buffers of the slabs whose frames should be moved (see move()), else null.
   */
  sweep(): ReadonlySet<ArrayBufferLike> | null {
    let reserved = 0
    for (const slab of this.#slabs.values()) {
      reserved += this.#slabBytes
      if (slab.age >= 0) slab.age++
    }
    if (reserved <= 2 * this.#live + this.#slack) return null
    let evacuate: Set<ArrayBufferLike> | null = null
    for (const slab of this.#slabs.values()) {
      if (slab.age < this.#minAge || slab.live * 2 > slab.used) continue
      evacuate ??= new Set()
      evacuate.add(slab.buffer)
    }
    return evacuate
  }

  /** A copy of `frame` in a slab for moved frames; the old bytes stay untouched and are freed. */
  move(frame: Uint8Array): Uint8Array {
    const length = frame.byteLength
    const slab =
      this.#moved && this.#moved.used + length <= this.#slabBytes ? this.#moved : this.#open('moved')
    const copy = this.#take(slab, length)
    copy.set(frame)
    this.free(frame)
    return copy
  }

  stats(): FrameSlabsStats {
    return { slabs: this.#slabs.size, reserved: this.#slabs.size * this.#slabBytes, live: this.#live }
  }

  /** Forgets every slab (the broker is closing). */
  clear(): void {
    this.#slabs.clear()
    this.#fresh = null
    this.#moved = null
    this.#live = 0
  }

  #open(kind: 'fresh' | 'moved'): Slab {
    const old = kind === 'fresh' ? this.#fresh : this.#moved
    if (old) {
      old.age = 0
      if (old.live === 0) this.#slabs.delete(old.buffer)
    }
    const slab = new Slab(this.#slabBytes)
    this.#slabs.set(slab.buffer, slab)
    if (kind === 'fresh') this.#fresh = slab
    else this.#moved = slab
    return slab
  }

  #take(slab: Slab, length: number): Uint8Array {
    // A Buffer, so that a socket writes it as is instead of wrapping it in one; made with Buffer's
    // own constructor (Buffer[Symbol.species], as ws does): Buffer.from() checks its arguments
    // first, 40 ns a frame instead of 16 here.
    const view = new FastBuffer(slab.buffer, slab.used, length)
    slab.used += length
    slab.live += length
    this.#live += length
    return view
  }
}
