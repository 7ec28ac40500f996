import { encodeAck, encodePing, encodePublish, encodeSubscribe, Op } from '@pairline/wire'
import type { PairlineError } from '../errors/base.js'
import type { Topic } from '../protocol/topics.js'
import type { ParsedTopic } from './topic.js'

/**
 * One request to the relay, answered by OK or ERROR with its rid. Rids belong to a connection, so a
 * request is encoded again, with a fresh rid, each time it is sent.
 */
export type Request = {
  /** 'SUBSCRIBE', 'PUBLISH', ...: for error details. */
  readonly name: string
  /**
   * Sent again on the next connection when this one is lost before the reply: subscribe and
   * unsubscribe are idempotent, a publish keeps its id. Acks and pings are not.
   */
  readonly retry: boolean
  /** The topics a SUBSCRIBE covers, so a reconnect does not subscribe them twice. */
  readonly subscribes: readonly Topic[]
  encode(rid: number): Uint8Array
  ok(): void
  /** RELAY_REJECTED, REQUEST_TIMEOUT or SESSION_CLOSED. Called at most once, and never after ok(). */
  fail(error: PairlineError): void
}

export type Settle = { ok(): void; fail(error: PairlineError): void }

const none: readonly Topic[] = []

/** Makes `ok`/`fail` settle once. */
function once(settle: Settle): Settle {
  let done = false
  return {
    ok() {
      if (done) return
      done = true
      settle.ok()
    },
    fail(error) {
      if (done) return
      done = true
      settle.fail(error)
    },
  }
}

export function subscribeRequest(
  op: typeof Op.Subscribe | typeof Op.Unsubscribe,
  topics: readonly ParsedTopic[],
  settle: Settle,
): Request {
  const bytes = topics.map((t) => t.bytes)
  const subscribe = op === Op.Subscribe
  return {
    name: subscribe ? 'SUBSCRIBE' : 'UNSUBSCRIBE',
    retry: true,
    subscribes: subscribe ? topics.map((t) => t.topic) : none,
    encode: (rid) => encodeSubscribe(rid, bytes, op),
    ...once(settle),
  }
}

export function publishRequest(
  topic: Uint8Array,
  id: Uint8Array,
  ttlSeconds: number,
  payload: Uint8Array,
  settle: Settle,
): Request {
  return {
    name: 'PUBLISH',
    retry: true,
    subscribes: none,
    encode: (rid) => encodePublish(rid, topic, id, ttlSeconds, payload),
    ...once(settle),
  }
}

export type Ack = { topic: Uint8Array; id: Uint8Array }

export function ackRequest(acks: readonly Ack[], settle: Settle): Request {
  return {
    name: 'ACK',
    retry: false,
    subscribes: none,
    encode: (rid) => encodeAck(rid, acks),
    ...once(settle),
  }
}

const ignore: Settle = { ok() {}, fail() {} }

export function pingRequest(): Request {
  return { name: 'PING', retry: false, subscribes: none, encode: encodePing, ...ignore }
}
