/**
 * A hostile relay for tests (issue 15): the real relay runs unchanged, and every socket the SDK
 * opens through `network.WebSocket` is a man in the middle that, per delivered message (MESSAGE,
 * PROTOCOL.md §13.3) and per published frame (PUBLISH, §13.2), at configurable rates drawn from
 * one seeded generator, drops, delays, duplicates, reorders, replays later, reflects to the
 * sender, moves to another topic, splices in another session's frames, flips bits, truncates,
 * extends or injects random frames, counting every fault. Targeted attacks (replay a recorded
 * frame after a rekey, a resume or the end of the session) use `record` and `deliver`.
 *
 * Time is virtual: the network's own holds (delay, reorder) and, passed as the SDK's `timers`
 * option, the dApp's and wallet's timers (resends, resume retries, acks) run on `network.clock`,
 * which `network.run(work)` moves on only when the network is quiet. So a lost frame is resent
 * as soon as nothing else can happen, never after a wait of the real 2 s.
 */
import { WebSocket } from 'ws'
import { type ManualTimers, manualTimers } from './timers.js'

export const FAULTS = [
  'drop',
  'delay',
  'duplicate',
  'reorder',
  'replay',
  'reflect',
  'move',
  'splice',
  'flip',
  'truncate',
  'extend',
  'inject',
] as const
export type Fault = (typeof FAULTS)[number]
export type HostileRates = Partial<Record<Fault, number>>
export type HostileCounts = Record<Fault | 'delivered', number>

/** A frame published: its topic (hex), payload and the label of the socket that sent it. */
export type Seen = { topic: string; payload: Uint8Array; from: string }

const MESSAGE = 0x83
const PUBLISH = 0x03
const SUBSCRIBE = 0x01
const UNSUBSCRIBE = 0x02
const HEAD = 1 + 32 + 16 // MESSAGE = 0x83 ‖ topic ‖ id ‖ payload
const PUB_HEAD = 1 + 4 + 32 + 16 + 4 // PUBLISH = 0x03 ‖ rid ‖ topic ‖ id ‖ ttl ‖ payload

/** xorshift32: fast, seeded, replayable (not for anything but tests). */
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

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'))

export function hostileCounts(): HostileCounts {
  const c = { delivered: 0 } as HostileCounts
  for (const f of FAULTS) c[f] = 0
  return c
}

/** The largest transport-frame epoch (§7.2 header) published on each topic: shows rekeys happened. */
function frameEpoch(payload: Uint8Array): number | null {
  if (payload.length < 14 || payload[0] !== 0x01 || payload[1] !== 0x10) return null
  return new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getUint32(2, false)
}

export class HostileNetwork {
  /** Rates per fault, 0..1; change them at any time (e.g. 0 while pairing). */
  rates: HostileRates
  readonly seed: number
  readonly counts = hostileCounts()
  /** Every frame published by any socket, in order (before any fault). */
  readonly published: Seen[] = []
  /** The highest transport epoch published per topic (hex). */
  readonly epochs = new Map<string, number>()
  /** Keep `published` (targeted tests); the mixed run only keeps a window for splicing. */
  record: boolean
  readonly random: () => number
  /** The virtual clock of the network's holds; pass it as the SDK's `timers` option too. */
  readonly clock: ManualTimers = manualTimers()
  /** Frames sent or delivered by any socket so far: unchanged means nothing is happening. */
  activity = 0
  /** Timers the clock fired in `run` (how often the work waited for time rather than frames). */
  ticks = 0
  readonly #sockets: HostileSocket[] = []
  readonly #recent: Seen[] = []
  #waiters: { test: () => boolean; resolve: () => void }[] = []
  #running = 0
  #driver: Promise<void> | null = null

  constructor(o: { seed: number; rates?: HostileRates; record?: boolean }) {
    this.seed = o.seed
    this.rates = { ...o.rates }
    this.record = o.record ?? false
    this.random = seeded(o.seed)
  }

  /**
   * Awaits `work`, moving `clock` on whenever the network is quiet: no frame sent or delivered by
   * any socket for three turns of the event loop. The relay, the dApp and the wallet run in this
   * process over loopback, so a frame written is readable at the next poll: quiet means every
   * side waits for a timer, and the earliest one fires. A timer that fires early (the other side
   * was still computing, e.g. a WebCrypto signature on the thread pool) only resends something the
   * receiver drops as a duplicate. No sleep and no wall-clock bound: time passes only here. Runs
   * may overlap (one driver moves the clock while any is waiting).
   */
  async run<T>(work: Promise<T>): Promise<T> {
    this.#running++
    this.#driver ??= this.#drive()
    try {
      return await work
    } finally {
      this.#running--
    }
  }

  /** Resolves once `test()` holds, checked now and after every frame any socket sends or gets. */
  when(test: () => boolean): Promise<void> {
    return new Promise((resolve) => {
      this.#waiters.push({ test, resolve })
      this.tick()
    })
  }

  /** @internal Something was sent or delivered. */
  tick(): void {
    this.activity++
    for (const w of [...this.#waiters])
      if (w.test()) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1)
        w.resolve()
      }
  }

  async #drive(): Promise<void> {
    let seen = -1
    let quiet = 0
    while (this.#running > 0) {
      await new Promise<void>((resolve) => setImmediate(resolve))
      if (this.activity !== seen) {
        seen = this.activity
        quiet = 0
      } else if (++quiet >= 3 && this.clock.next()) {
        this.ticks++
        quiet = 0
      }
    }
    this.#driver = null
  }

  /** The WebSocket class to pass as the SDK's `relay.WebSocket` option; `label` names its sockets. */
  socketClass(label: string): new (url: string, protocols?: string[]) => WebSocket {
    const net = this
    return class extends HostileSocket {
      constructor(url: string, protocols?: string[]) {
        super(url, net, label, protocols)
      }
    }
  }

  hit(fault: Fault): boolean {
    const yes = this.random() < (this.rates[fault] ?? 0)
    if (yes) this.counts[fault]++
    return yes
  }

  pick<T>(list: readonly T[]): T | undefined {
    return list.length === 0 ? undefined : list[Math.floor(this.random() * list.length)]
  }

  /** @internal */ join(s: HostileSocket): void {
    this.#sockets.push(s)
  }

  /** @internal */ sawPublish(seen: Seen): void {
    const epoch = frameEpoch(seen.payload)
    if (epoch !== null) this.epochs.set(seen.topic, Math.max(epoch, this.epochs.get(seen.topic) ?? 0))
    if (this.record) this.published.push(seen)
    this.#recent.push(seen)
    if (this.#recent.length > 256) this.#recent.shift()
  }

  /** A recently published frame on another topic than `topic` (for splicing). */
  otherFrame(topic: string): Seen | undefined {
    return this.pick(this.#recent.filter((s) => s.topic !== topic))
  }

  /** Topics some socket is subscribed to, other than `topic`, with their sockets. */
  otherTopics(topic: string): { socket: HostileSocket; topic: string }[] {
    return this.#sockets.flatMap((socket) =>
      [...socket.subscribed].filter((t) => t !== topic).map((t) => ({ socket, topic: t })),
    )
  }

  /**
   * Delivers `payload` under `topic` (hex) as the relay would, with a fresh message id: to every
   * open socket subscribed to it, or to the open sockets labelled `to`, subscribed or not (a relay
   * that ignores subscriptions). Returns how many sockets got it.
   */
  deliver(topic: string, payload: Uint8Array, to?: string): number {
    const targets = this.#sockets.filter(
      (s) => s.readyState === WebSocket.OPEN && (to === undefined ? s.subscribed.has(topic) : s.label === to),
    )
    for (const s of targets) s.inject(topic, payload)
    return targets.length
  }

  /** The frames published on `topic` so far (needs `record`). */
  publishedOn(topic: string): Seen[] {
    return this.published.filter((s) => s.topic === topic)
  }

  /** Topics (hex) the open sockets labelled `label` are subscribed to now. */
  subscriptions(label: string): string[] {
    return this.#sockets
      .filter((s) => s.label === label && s.readyState === WebSocket.OPEN)
      .flatMap((s) => [...s.subscribed])
  }
}

/** A random id for frames the relay never stored (the client's ACK for it is ignored, §13.4). */
function freshId(random: () => number): Uint8Array {
  return Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256))
}

function mutate(fault: Fault, b: Uint8Array, random: () => number): Uint8Array {
  switch (fault) {
    case 'flip': {
      const at = Math.floor(random() * b.length)
      b[at] = b[at]! ^ (1 << Math.floor(random() * 8))
      return b
    }
    case 'truncate':
      return b.subarray(0, Math.floor(random() * b.length))
    case 'extend': {
      const out = new Uint8Array(b.length + 1 + Math.floor(random() * 64))
      out.set(b)
      return out
    }
    default:
      return Uint8Array.from(b, () => Math.floor(random() * 256)) // inject: junk of the same length
  }
}

class HostileSocket extends WebSocket {
  readonly label: string
  readonly subscribed = new Set<string>()
  readonly #net: HostileNetwork
  #held: { topic: string; id: Uint8Array; payload: Uint8Array } | null = null
  #later: { due: number; topic: string; payload: Uint8Array }[] = []
  #seen = 0

  constructor(url: string, net: HostileNetwork, label: string, protocols?: string[]) {
    super(url, protocols)
    this.#net = net
    this.label = label
    net.join(this)
  }

  #emit(topic: string, id: Uint8Array, payload: Uint8Array): void {
    if (this.readyState !== WebSocket.OPEN) return
    const frame = new Uint8Array(HEAD + payload.length)
    frame[0] = MESSAGE
    frame.set(unhex(topic), 1)
    frame.set(id, 33)
    frame.set(payload, HEAD)
    this.#net.counts.delivered++
    super.emit('message', frame.buffer, true)
    this.#net.tick()
  }

  /** Delivers a frame the relay never sent (a replay, a splice, a reflection). */
  inject(topic: string, payload: Uint8Array): void {
    this.#emit(topic, freshId(this.#net.random), payload.slice())
  }

  override send(data: unknown, ...rest: unknown[]): void {
    const b = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer)
    if (b[0] === SUBSCRIBE || b[0] === UNSUBSCRIBE) {
      for (let i = 6; i + 32 <= b.length; i += 32) {
        const t = hex(b.subarray(i, i + 32))
        if (b[0] === SUBSCRIBE) this.subscribed.add(t)
        else this.subscribed.delete(t)
      }
    } else if (b[0] === PUBLISH && b.length > PUB_HEAD) {
      const topic = hex(b.subarray(5, 37))
      const payload = b.slice(PUB_HEAD)
      this.#net.sawPublish({ topic, payload, from: this.label })
      // Reflect: the relay hands the sender its own frame, on a topic the sender reads.
      const back = this.#net.pick([...this.subscribed])
      if (back && this.#net.hit('reflect')) queueMicrotask(() => this.inject(back, payload))
    }
    ;(super.send as (...a: unknown[]) => void)(data, ...rest)
    this.#net.tick()
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event !== 'message') return super.emit(event, ...args)
    const raw = args[0] as ArrayBuffer | Buffer
    const frame = new Uint8Array(
      raw instanceof ArrayBuffer ? raw : raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength),
    )
    if (frame[0] !== MESSAGE || frame.length <= HEAD) return super.emit(event, ...args)
    this.#onMessage(hex(frame.subarray(1, 33)), frame.slice(33, HEAD), frame.slice(HEAD))
    this.#net.tick() // a drop counts too
    return true
  }

  #onMessage(topic: string, id: Uint8Array, payload: Uint8Array): void {
    const net = this.#net
    const random = net.random
    this.#seen++
    for (const due of this.#later.filter((l) => l.due <= this.#seen)) {
      this.#later.splice(this.#later.indexOf(due), 1)
      this.inject(due.topic, due.payload)
    }
    for (const f of ['flip', 'truncate', 'extend', 'inject'] as const)
      if (net.hit(f)) this.#emit(topic, id, mutate(f, payload.slice(), random))
    if (net.hit('splice')) {
      const other = net.otherFrame(topic)
      if (other) this.inject(topic, other.payload)
    }
    if (net.hit('replay'))
      this.#later.push({ due: this.#seen + 1 + Math.floor(random() * 400), topic, payload })
    if (net.hit('drop')) return
    if (net.hit('move')) {
      const elsewhere = net.pick(net.otherTopics(topic))
      if (elsewhere) {
        elsewhere.socket.#emit(elsewhere.topic, id, payload)
        return
      }
    }
    if (this.#held === null && net.hit('reorder')) {
      this.#held = { topic, id, payload } // released after the next delivery, or soon if none comes
      net.clock.setTimeout(() => this.#release(), 30)
      return
    }
    if (net.hit('delay')) {
      net.clock.setTimeout(() => this.#deliver(topic, id, payload), Math.floor(random() * 20))
      return
    }
    this.#deliver(topic, id, payload)
  }

  #deliver(topic: string, id: Uint8Array, payload: Uint8Array): void {
    this.#emit(topic, id, payload)
    if (this.#net.hit('duplicate')) this.#emit(topic, id, payload)
    this.#release()
  }

  #release(): void {
    const held = this.#held
    this.#held = null
    if (held) this.#emit(held.topic, held.id, held.payload)
  }
}
