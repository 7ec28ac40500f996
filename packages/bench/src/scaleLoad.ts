/**
 * The load of the scale rows: N sessions, each a pair of sockets (the dApp's and the wallet's),
 * each subscribed to its own topic, on one server (the relay or the bare router) in a child
 * process. Once per second per session the dApp socket publishes a request frame to the wallet's
 * topic; the wallet socket acks the delivery and publishes an answer frame to the dApp's topic,
 * which the dApp socket acks and follows with one more frame to the wallet, which the wallet acks:
 * a request's publishes as the SDK makes them (counted through a real relay: 3 PUBLISH and 3 ACK per
 * personal_sign at one request per 120 ms; the third is the dApp's bare channel ack, PROTOCOL §14.1,
 * which the SDK sends 50 ms after the answer when no request carries it, and this load at once),
 * without the crypto (random bytes of the sealed frames' sizes; the relay cannot tell). The sockets
 * offer what they are given: the relay's offer reply mode 2 (`pairline-relay.2`, §13.3.1) as the
 * SDK's relay client does (PROTOCOLS in packages/relay/bench/run.ts).
 */
import {
  encodeAck,
  encodePublish,
  encodeSubscribe,
  MESSAGE_ID_LEN,
  Reply,
  replyMode,
  TOPIC_LEN,
} from '@pairline/wire'
import { WebSocket } from 'ws'

// Offsets (wire/codec.ts): PUBLISH op‖rid‖topic‖id‖ttl‖payload, MESSAGE op‖topic‖id‖payload,
// ACK op‖rid‖n‖(topic‖id)*
const PUB_ID_AT = 5 + TOPIC_LEN
const PUB_PAYLOAD_AT = 9 + TOPIC_LEN + MESSAGE_ID_LEN
const MSG_ID_AT = 1 + TOPIC_LEN
const MSG_PAYLOAD_AT = 1 + TOPIC_LEN + MESSAGE_ID_LEN
const ACK_ID_AT = 6 + TOPIC_LEN
const TTL_SECONDS = 300
const OPEN_BATCH = 500

const asBuffer = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.byteLength)
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))

/** One side of a session: its socket, the frame it publishes and the ack it sends, preallocated. */
type End = { ws: WebSocket; publish: Buffer; ack: Buffer; rid: number; seq: number }

function end(ws: WebSocket, to: Uint8Array, mine: Uint8Array, bytes: number): End {
  const publish = asBuffer(encodePublish(0, to, random(MESSAGE_ID_LEN), TTL_SECONDS, random(bytes)))
  return {
    ws,
    publish,
    ack: asBuffer(encodeAck(0, [{ topic: mine, id: random(MESSAGE_ID_LEN) }])),
    rid: 0,
    seq: 0,
  }
}

/** The payload's first 8 bytes: a send time (ns); the 9th: what the frame is. */
const REQUEST = 1
const FOLLOW_UP = 2

function send(e: End, stamp: bigint, kind = REQUEST): void {
  e.publish.writeUInt32BE(++e.rid >>> 0, 1)
  e.publish.writeUInt32BE(++e.seq >>> 0, PUB_ID_AT) // a fresh message id per publish
  e.publish.writeBigUInt64BE(stamp, PUB_PAYLOAD_AT)
  e.publish[PUB_PAYLOAD_AT + 8] = kind
  e.ws.send(e.publish)
}

function ack(e: End, message: Buffer): void {
  message.copy(e.ack, ACK_ID_AT, MSG_ID_AT, MSG_ID_AT + MESSAGE_ID_LEN)
  e.ack.writeUInt32BE(++e.rid >>> 0, 1)
  e.ws.send(e.ack)
}

function open(url: string, topic: Uint8Array, protocols: string[]): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, protocols, { perMessageDeflate: false })
    ws.once('error', reject)
    ws.once('open', () => {
      ws.once('message', (data: Buffer) => {
        ws.off('error', reject)
        ws.on('error', () => {})
        data[0] === Reply.Ok
          ? resolve(ws)
          : reject(new Error(`subscribe refused: frame 0x${data[0]?.toString(16)}`))
      })
      ws.send(encodeSubscribe(1, [topic]))
    })
  })
}

export type LoadOptions = { sessions: number; requestBytes: number; answerBytes: number }

export class ScaleLoad {
  readonly #dapps: End[] = []
  readonly #o: LoadOptions
  /** round trips (request sent to answer delivered), ns, while `recording` */
  readonly roundTrips: number[] = []
  recording = false
  sent = 0
  answered = 0
  errors = 0
  firstError = ''
  #timer: NodeJS.Timeout | undefined
  #sockets: WebSocket[] = []
  #onDrained: (() => void) | undefined
  /** the reply modes the server gave the sockets (§13.3.1): one of them, unless it is inconsistent */
  readonly replyModes = new Set<1 | 2>()

  constructor(options: LoadOptions) {
    this.#o = options
  }

  /** Opens and subscribes every session's two sockets, in batches, each offering `protocols`. */
  async open(url: string, protocols: string[] = []): Promise<void> {
    for (let done = 0; done < this.#o.sessions; ) {
      const batch = Math.min(OPEN_BATCH / 2, this.#o.sessions - done)
      await Promise.all(Array.from({ length: batch }, () => this.#session(url, protocols)))
      done += batch
    }
  }

  async #session(url: string, protocols: string[]): Promise<void> {
    const dTopic = random(TOPIC_LEN)
    const wTopic = random(TOPIC_LEN)
    const [dws, wws] = await Promise.all([open(url, dTopic, protocols), open(url, wTopic, protocols)])
    this.#sockets.push(dws, wws)
    this.replyModes.add(replyMode(dws.protocol)).add(replyMode(wws.protocol))
    const dapp = end(dws, wTopic, dTopic, this.#o.requestBytes)
    const wallet = end(wws, dTopic, wTopic, this.#o.answerBytes)
    wws.on('message', (data: Buffer) => {
      if (data[0] === Reply.Message) {
        ack(wallet, data)
        // the answer carries the request's stamp
        if (data[MSG_PAYLOAD_AT + 8] === REQUEST) send(wallet, data.readBigUInt64BE(MSG_PAYLOAD_AT))
      } else if (data[0] !== Reply.Ok) this.#error(data)
    })
    dws.on('message', (data: Buffer) => {
      if (data[0] === Reply.Message) {
        ack(dapp, data)
        send(dapp, 0n, FOLLOW_UP)
        this.answered++
        if (this.#onDrained && this.answered >= this.sent) this.#onDrained()
        if (this.recording)
          this.roundTrips.push(Number(process.hrtime.bigint() - data.readBigUInt64BE(MSG_PAYLOAD_AT)))
      } else if (data[0] !== Reply.Ok) this.#error(data)
    })
    this.#dapps.push(dapp)
  }

  #error(data: Buffer): void {
    this.errors++
    if (!this.firstError) this.firstError = `frame 0x${data[0]?.toString(16)} ${data.subarray(7).toString()}`
  }

  /** Every session sends one request per second, spread evenly over the second in 10 ms ticks. */
  start(): void {
    const TICK_MS = 10
    const perTick = this.#dapps.length / (1000 / TICK_MS)
    let next = 0
    let due = 0
    const t0 = performance.now()
    const tick = () => {
      // catch up on ticks the event loop missed, so the offered rate stays 1/s per session
      const ticks = Math.floor((performance.now() - t0) / TICK_MS) + 1
      for (; due < ticks * perTick; due++) {
        send(this.#dapps[next]!, process.hrtime.bigint())
        this.sent++
        next = (next + 1) % this.#dapps.length
      }
    }
    this.#timer = setInterval(tick, TICK_MS)
  }

  stop(): void {
    clearInterval(this.#timer)
  }

  /** Resolves once every request sent so far was answered (call after stop()). */
  drained(): Promise<void> {
    if (this.answered >= this.sent) return Promise.resolve()
    return new Promise((resolve) => {
      this.#onDrained = resolve
    })
  }

  async close(): Promise<void> {
    this.stop()
    await Promise.all(
      this.#sockets.map((ws) => {
        if (ws.readyState === ws.CLOSED) return undefined
        const closed = new Promise((resolve) => ws.once('close', resolve))
        ws.terminate()
        return closed
      }),
    )
  }
}
