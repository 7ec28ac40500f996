/**
 * A hostile relay for tests, as a WebSocket class for the SDK's `WebSocket` option: the real relay
 * runs unchanged, and this socket tampers with what it delivers (MESSAGE frames, PROTOCOL.md §13.3)
 * at configurable rates, from a seeded generator, counting every fault. Faults that need the
 * session layer's timers to recover from (dropping a delivery for good) are issue 10's; what is
 * here must be absorbed by the protocol as it is: duplicates, reordering, delay, bit flips,
 * truncation, extension and injected junk.
 */
import { WebSocket } from 'ws'

export type HostileRates = Partial<
  Record<'duplicate' | 'reorder' | 'delay' | 'flip' | 'truncate' | 'extend' | 'inject', number>
>
export type HostileCounts = Record<keyof HostileRates | 'delivered', number>

const HEAD = 1 + 32 + 16 // MESSAGE = 0x83 ‖ topic ‖ id ‖ payload

function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 2 ** 32
  }
}

export function hostileCounts(): HostileCounts {
  return { delivered: 0, duplicate: 0, reorder: 0, delay: 0, flip: 0, truncate: 0, extend: 0, inject: 0 }
}

/** `new (hostileWebSocket(...))(url)` connects to `url` and tampers with its deliveries. */
export function hostileWebSocket(
  rates: HostileRates,
  seed: number,
  counts: HostileCounts,
): new (
  url: string,
) => WebSocket {
  const random = seeded(seed)
  const hit = (fault: keyof HostileRates) => {
    const yes = random() < (rates[fault] ?? 0)
    if (yes) counts[fault]++
    return yes
  }
  return class HostileWebSocket extends WebSocket {
    #held: Uint8Array[] | null = null

    #release(): void {
      const held = this.#held
      this.#held = null
      for (const h of held ?? []) {
        counts.delivered++
        super.emit('message', h.slice().buffer, true)
      }
    }

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      if (event !== 'message') return super.emit(event, ...args)
      const raw = args[0] as ArrayBuffer | Buffer
      const frame = new Uint8Array(
        raw instanceof ArrayBuffer ? raw : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength),
      )
      if (frame[0] !== 0x83 || frame.length <= HEAD) return super.emit(event, ...args)
      const deliver = (bytes: Uint8Array) => {
        counts.delivered++
        const copy = bytes.slice().buffer
        super.emit('message', copy, true)
      }
      const tampered = (mutate: (b: Uint8Array) => Uint8Array) => deliver(mutate(frame.slice()))
      if (hit('flip'))
        tampered((b) => {
          const at = HEAD + Math.floor(random() * (b.length - HEAD))
          b[at] = b[at]! ^ (1 << Math.floor(random() * 8))
          return b
        })
      if (hit('truncate'))
        tampered((b) => b.subarray(0, HEAD + 1 + Math.floor(random() * (b.length - HEAD - 1))))
      if (hit('extend'))
        tampered((b) => {
          const out = new Uint8Array(b.length + 1 + Math.floor(random() * 64))
          out.set(b)
          return out
        })
      if (hit('inject'))
        tampered((b) => {
          const out = b.slice()
          for (let i = HEAD; i < out.length; i++) out[i] = Math.floor(random() * 256)
          return out
        })
      if (this.#held === null && hit('reorder')) {
        this.#held = [frame] // released after the next delivery, or soon if none comes
        setTimeout(() => this.#release(), 30)
        return true
      }
      const release = () => this.#release()
      if (hit('delay')) {
        setTimeout(
          () => {
            deliver(frame)
            release()
          },
          Math.floor(random() * 20),
        )
        return true
      }
      deliver(frame)
      if (hit('duplicate')) deliver(frame)
      release()
      return true
    }
  }
}
