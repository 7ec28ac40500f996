import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  ACK_ITEM_LEN,
  ACK_ITEMS_AT,
  type ClientFrame,
  clientFrameOp,
  decodeClientFrame,
  decodeRelayFrame,
  encodeAck,
  encodeError,
  encodeMessage,
  encodeOk,
  encodePing,
  encodePublish,
  encodeSubscribe,
  encodeUnsubscribe,
  MAX_BATCH,
  MESSAGE_ID_LEN,
  Op,
  PUBLISH_ID_AT,
  PUBLISH_PAYLOAD_AT,
  PUBLISH_TOPIC_AT,
  PUBLISH_TTL_AT,
  type RelayFrame,
  Reply,
  ridAt,
  TOPIC_LEN,
} from './codec.js'
import { RelayErrorCode, RelayErrorName } from './errors.js'

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s+/g, ''), 'hex'))
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts))
const filled = (n: number, v: number) => new Uint8Array(n).fill(v)

const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
const topicArb = fc.uint8Array({ minLength: TOPIC_LEN, maxLength: TOPIC_LEN })
const idArb = fc.uint8Array({ minLength: MESSAGE_ID_LEN, maxLength: MESSAGE_ID_LEN })
/** PROTOCOL §13.2: a PUBLISH (and so a MESSAGE) carries at least one payload byte. */
const payloadArb = fc.uint8Array({ minLength: 1, maxLength: 600 })
const topicsArb = fc.array(topicArb, { minLength: 1, maxLength: MAX_BATCH })
const acksArb = fc.array(fc.record({ topic: topicArb, id: idArb }), { minLength: 1, maxLength: MAX_BATCH })

/** The inverse of decodeClientFrame: used to check that every accepted frame is canonical. */
function encodeClient(f: ClientFrame): Uint8Array {
  switch (f.op) {
    case Op.Subscribe:
      return encodeSubscribe(f.rid, f.topics)
    case Op.Unsubscribe:
      return encodeUnsubscribe(f.rid, f.topics)
    case Op.Publish:
      return encodePublish(f.rid, f.topic, f.id, f.ttl, f.payload)
    case Op.Ack:
      return encodeAck(f.rid, f.acks)
    case Op.Ping:
      return encodePing(f.rid)
  }
}

function encodeRelay(f: RelayFrame): Uint8Array {
  switch (f.type) {
    case Reply.Ok:
      return encodeOk(f.rid)
    case Reply.Error:
      return encodeError(f.rid, f.code, f.message)
    case Reply.Message:
      return encodeMessage(f.topic, f.id, f.payload)
  }
}

/** One valid frame of every kind, client and relay side, from random parts. */
const clientFrameArb: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(u32, topicsArb).map(([rid, t]) => encodeSubscribe(rid, t)),
  fc.tuple(u32, topicsArb).map(([rid, t]) => encodeUnsubscribe(rid, t)),
  fc
    .tuple(u32, topicArb, idArb, u32, payloadArb)
    .map(([rid, t, id, ttl, p]) => encodePublish(rid, t, id, ttl, p)),
  fc.tuple(u32, acksArb).map(([rid, a]) => encodeAck(rid, a)),
  u32.map(encodePing),
)

describe('round trips', () => {
  it('SUBSCRIBE and UNSUBSCRIBE', () => {
    fc.assert(
      fc.property(u32, topicsArb, fc.boolean(), (rid, topics, sub) => {
        const b = sub ? encodeSubscribe(rid, topics) : encodeUnsubscribe(rid, topics)
        expect(b.length).toBe(6 + TOPIC_LEN * topics.length)
        expect(decodeClientFrame(b)).toEqual({ op: sub ? Op.Subscribe : Op.Unsubscribe, rid, topics })
      }),
    )
  })

  it('PUBLISH', () => {
    fc.assert(
      fc.property(u32, topicArb, idArb, u32, payloadArb, (rid, topic, id, ttl, payload) => {
        const b = encodePublish(rid, topic, id, ttl, payload)
        expect(b.length).toBe(57 + payload.length)
        expect(decodeClientFrame(b)).toEqual({ op: Op.Publish, rid, topic, id, ttl, payload })
      }),
    )
  })

  it('ACK', () => {
    fc.assert(
      fc.property(u32, acksArb, (rid, acks) => {
        const b = encodeAck(rid, acks)
        expect(b.length).toBe(6 + 48 * acks.length)
        expect(decodeClientFrame(b)).toEqual({ op: Op.Ack, rid, acks })
      }),
    )
  })

  it('PING', () => {
    fc.assert(
      fc.property(u32, (rid) => {
        expect(decodeClientFrame(encodePing(rid))).toEqual({ op: Op.Ping, rid })
      }),
    )
  })

  it('OK', () => {
    fc.assert(
      fc.property(u32, (rid) => {
        expect(decodeRelayFrame(encodeOk(rid))).toEqual({ type: Reply.Ok, rid })
      }),
    )
  })

  it('ERROR, with any Unicode text', () => {
    fc.assert(
      fc.property(
        u32,
        fc.integer({ min: 0, max: 0xffff }),
        fc.string({ unit: 'binary', maxLength: 80 }),
        (rid, code, message) => {
          expect(decodeRelayFrame(encodeError(rid, code, message))).toEqual({
            type: Reply.Error,
            rid,
            code,
            message,
          })
        },
      ),
    )
  })

  it('ERROR text keeps a leading U+FEFF (a BOM is text, not a marker, in this format)', () => {
    for (const message of ['\uFEFF', '\uFEFFrate limited', '\uFEFF\uFEFF']) {
      expect(decodeRelayFrame(encodeError(1, 7, message))).toEqual({
        type: Reply.Error,
        rid: 1,
        code: 7,
        message,
      })
    }
  })

  it('MESSAGE', () => {
    fc.assert(
      fc.property(topicArb, idArb, payloadArb, (topic, id, payload) => {
        const b = encodeMessage(topic, id, payload)
        expect(b.length).toBe(49 + payload.length)
        expect(decodeRelayFrame(b)).toEqual({ type: Reply.Message, topic, id, payload })
      }),
    )
  })

  it('MESSAGE into a caller-provided buffer (the relay encodes into its frame slabs)', () => {
    const pool = new Uint8Array(200).fill(0xee)
    const out = pool.subarray(10, 10 + 49 + 2)
    expect(encodeMessage(filled(32, 7), filled(16, 9), bytes('6869'), out)).toBe(out)
    expect(out).toEqual(encodeMessage(filled(32, 7), filled(16, 9), bytes('6869')))
    expect(pool[9]).toBe(0xee)
    expect(pool[10 + 51]).toBe(0xee)
    expect(() => encodeMessage(filled(32, 7), filled(16, 9), bytes('6869'), pool.subarray(0, 50))).toThrow(
      RangeError,
    )
  })

  it('decoded client frames are views of the input, not copies', () => {
    const b = encodePublish(1, filled(32, 7), filled(16, 9), 60, bytes('6869'))
    const f = decodeClientFrame(b)
    if (f?.op !== Op.Publish) throw new Error('expected a PUBLISH')
    expect(f.topic.buffer).toBe(b.buffer)
    expect(f.payload.buffer).toBe(b.buffer)
  })

  it('decodes frames that sit at an offset inside a larger buffer (pooled Node buffers)', () => {
    const frame = encodeAck(0xdeadbeef, [{ topic: filled(32, 1), id: filled(16, 2) }])
    const pool = new Uint8Array(frame.length + 13)
    pool.set(frame, 7)
    expect(decodeClientFrame(pool.subarray(7, 7 + frame.length))).toEqual({
      op: Op.Ack,
      rid: 0xdeadbeef,
      acks: [{ topic: filled(32, 1), id: filled(16, 2) }],
    })
  })
})

describe('clientFrameOp and the field offsets (what the relay reads without decoding)', () => {
  it('accepts exactly the frames decodeClientFrame accepts, with their op (random bytes and valid frames)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 160 }), clientFrameArb), (b) => {
        expect(clientFrameOp(b)).toBe(decodeClientFrame(b)?.op ?? 0)
      }),
      { numRuns: 20_000 },
    )
  })

  it('each length one short or one long of a valid frame is refused', () => {
    for (const b of [
      encodeSubscribe(1, [filled(32, 1)]),
      encodeAck(1, [{ topic: filled(32, 1), id: filled(16, 2) }]),
      encodePing(1),
    ]) {
      const longer = new Uint8Array(b.length + 1)
      longer.set(b)
      expect([clientFrameOp(b.subarray(0, b.length - 1)), clientFrameOp(longer)]).toEqual([0, 0])
    }
    // a PUBLISH has a payload of at least one byte, and any length above
    const p = encodePublish(1, filled(32, 1), filled(16, 2), 60, bytes('68'))
    expect([clientFrameOp(p.subarray(0, p.length - 1)), clientFrameOp(p)]).toEqual([0, Op.Publish])
  })

  it('the offsets name the fields encodePublish and encodeAck write, and ridAt the rid', () => {
    const p = encodePublish(0xfeedf00d, filled(32, 7), filled(16, 9), 300, bytes('6869'))
    expect(p.subarray(PUBLISH_TOPIC_AT, PUBLISH_ID_AT)).toEqual(filled(32, 7))
    expect(p.subarray(PUBLISH_ID_AT, PUBLISH_TTL_AT)).toEqual(filled(16, 9))
    expect(hex(p.subarray(PUBLISH_TTL_AT, PUBLISH_PAYLOAD_AT))).toBe('0000012c')
    expect(hex(p.subarray(PUBLISH_PAYLOAD_AT))).toBe('6869')
    expect(ridAt(p)).toBe(0xfeedf00d)
    const a = encodeAck(3, [
      { topic: filled(32, 1), id: filled(16, 2) },
      { topic: filled(32, 3), id: filled(16, 4) },
    ])
    expect(a.subarray(ACK_ITEMS_AT + ACK_ITEM_LEN, ACK_ITEMS_AT + ACK_ITEM_LEN + TOPIC_LEN)).toEqual(
      filled(32, 3),
    )
    expect(a.subarray(ACK_ITEMS_AT + ACK_ITEM_LEN + TOPIC_LEN)).toEqual(filled(16, 4))
  })
})

describe('hostile input: decoders return null, never throw', () => {
  it('random bytes (100k runs); anything accepted is canonical', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), (b) => {
        const c = decodeClientFrame(b)
        if (c !== null) expect(hex(encodeClient(c))).toBe(hex(b))
        const r = decodeRelayFrame(b)
        if (r !== null) expect(hex(encodeRelay(r))).toBe(hex(b))
      }),
      { numRuns: 100_000 },
    )
  })

  it('random bytes that start with a valid op byte', () => {
    const ops = [...Object.values(Op), ...Object.values(Reply)]
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.uint8Array({ maxLength: 3200 }), (op, rest) => {
        const b = concat(new Uint8Array([op]), rest)
        const c = decodeClientFrame(b)
        if (c !== null) expect(hex(encodeClient(c))).toBe(hex(b))
        const r = decodeRelayFrame(b)
        if (r !== null) expect(hex(encodeRelay(r))).toBe(hex(b))
      }),
      { numRuns: 20_000 },
    )
  })

  it('valid frames with bit flips decode to null or to a canonical frame', () => {
    fc.assert(
      fc.property(clientFrameArb, fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (frame, flips) => {
        const b = frame.slice()
        for (const f of flips) b[f % b.length]! ^= 1 << (f % 8)
        const c = decodeClientFrame(b)
        if (c !== null) expect(hex(encodeClient(c))).toBe(hex(b))
      }),
      { numRuns: 5_000 },
    )
  })

  it('truncated frames', () => {
    fc.assert(
      fc.property(clientFrameArb, fc.nat(), (frame, cut) => {
        const short = frame.subarray(0, cut % frame.length)
        const f = decodeClientFrame(short)
        // Only a PUBLISH still parses when cut inside its payload (payload ≥ 1 byte remains).
        if (frame[0] === Op.Publish && short.length > 57) expect(f?.op).toBe(Op.Publish)
        else expect(f).toBeNull()
      }),
      { numRuns: 5_000 },
    )
    for (const frame of [encodeOk(3), encodeMessage(filled(32, 1), filled(16, 2), bytes('00'))]) {
      for (let n = 0; n < frame.length; n++) expect(decodeRelayFrame(frame.subarray(0, n))).toBeNull()
    }
    const error = encodeError(3, 7, 'rate limited')
    for (let n = 0; n < 7; n++) expect(decodeRelayFrame(error.subarray(0, n))).toBeNull()
  })

  it('extended frames: fixed-length frames with extra bytes are refused', () => {
    fc.assert(
      fc.property(clientFrameArb, fc.uint8Array({ minLength: 1, maxLength: 64 }), (frame, extra) => {
        const f = decodeClientFrame(concat(frame, extra))
        if (frame[0] === Op.Publish)
          expect(f?.op).toBe(Op.Publish) // the payload just grew
        else expect(f).toBeNull()
      }),
      { numRuns: 5_000 },
    )
    expect(decodeRelayFrame(concat(encodeOk(1), bytes('00')))).toBeNull()
  })

  it('minimal frames: PUBLISH and MESSAGE with an empty payload are refused', () => {
    expect(decodeClientFrame(encodePublish(1, filled(32, 7), filled(16, 9), 60, new Uint8Array()))).toBeNull()
    expect(decodeRelayFrame(encodeMessage(filled(32, 7), filled(16, 9), new Uint8Array()))).toBeNull()
    expect(decodeClientFrame(new Uint8Array())).toBeNull()
    expect(decodeRelayFrame(new Uint8Array())).toBeNull()
  })

  describe('wrong counts', () => {
    const topicsFrame = (op: number, count: number, n: number) => {
      const b = new Uint8Array(6 + n * TOPIC_LEN).fill(0x5a)
      b[0] = op
      b[5] = count
      return b
    }
    const acksFrame = (count: number, n: number) => {
      const b = new Uint8Array(6 + n * 48).fill(0x5a)
      b[0] = Op.Ack
      b[5] = count
      return b
    }

    it.each([Op.Subscribe, Op.Unsubscribe])('op %i: count 0, count > 64, count/length mismatch', (op) => {
      expect(decodeClientFrame(topicsFrame(op, 0, 0))).toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 0, 1))).toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 1, 0))).toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 1, 1))).not.toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 64, 64))).not.toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 65, 65))).toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 255, 255))).toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 2, 3))).toBeNull()
      expect(decodeClientFrame(topicsFrame(op, 3, 2))).toBeNull()
      // one byte short or long of a whole topic
      expect(decodeClientFrame(topicsFrame(op, 1, 1).subarray(0, 37))).toBeNull()
      expect(decodeClientFrame(concat(topicsFrame(op, 1, 1), bytes('00')))).toBeNull()
      // the header alone, without the count byte
      expect(decodeClientFrame(topicsFrame(op, 1, 1).subarray(0, 5))).toBeNull()
    })

    it('ACK: count 0, count > 64, count/length mismatch', () => {
      expect(decodeClientFrame(acksFrame(0, 0))).toBeNull()
      expect(decodeClientFrame(acksFrame(0, 1))).toBeNull()
      expect(decodeClientFrame(acksFrame(1, 1))).not.toBeNull()
      expect(decodeClientFrame(acksFrame(64, 64))).not.toBeNull()
      expect(decodeClientFrame(acksFrame(65, 65))).toBeNull()
      expect(decodeClientFrame(acksFrame(255, 255))).toBeNull()
      expect(decodeClientFrame(acksFrame(2, 1))).toBeNull()
      expect(decodeClientFrame(acksFrame(1, 2))).toBeNull()
      // an ACK item is topic ‖ id: a count that only fits topic-sized items is refused
      expect(decodeClientFrame(topicsFrame(Op.Ack, 3, 2))).toBeNull()
    })

    it('encoders write the count byte that the decoder then checks (65 topics never decode)', () => {
      const many = Array.from({ length: MAX_BATCH + 1 }, (_, i) => filled(32, i))
      expect(decodeClientFrame(encodeSubscribe(1, many))).toBeNull()
      expect(
        decodeClientFrame(
          encodeAck(
            1,
            many.map((topic) => ({ topic, id: filled(16, 1) })),
          ),
        ),
      ).toBeNull()
      expect(decodeClientFrame(encodeSubscribe(1, []))).toBeNull()
      expect(decodeClientFrame(encodeAck(1, []))).toBeNull()
    })
  })

  it('unknown op bytes, with bodies of every length class', () => {
    const client = new Set<number>(Object.values(Op))
    const relay = new Set<number>(Object.values(Reply))
    const bodies = [0, 4, 5, 6, 37, 38, 53, 54, 57, 58, 100].map((n) => filled(n, 1))
    for (let op = 0; op < 256; op++) {
      for (const body of bodies) {
        const b = concat(new Uint8Array([op]), body)
        if (!client.has(op)) expect(decodeClientFrame(b)).toBeNull()
        if (!relay.has(op)) expect(decodeRelayFrame(b)).toBeNull()
      }
    }
  })

  it('ERROR text that is not UTF-8 is refused', () => {
    const head = encodeError(5, RelayErrorCode.RateLimited, '')
    for (const bad of ['ff', 'c080', 'eda080', 'e282', 'f4908080', '80']) {
      expect(decodeRelayFrame(concat(head, bytes(bad)))).toBeNull()
    }
    expect(decodeRelayFrame(concat(head, bytes('e282ac')))).toMatchObject({ message: '€' })
  })
})

describe('byte layout (PROTOCOL.md §13.3 examples: topic 07…07, id 09…09, rid 1)', () => {
  const topic = filled(TOPIC_LEN, 0x07)
  const id = filled(MESSAGE_ID_LEN, 0x09)
  const payload = new TextEncoder().encode('hi')

  it('PUBLISH "hi", ttl 300', () => {
    const b = encodePublish(1, topic, id, 300, payload)
    expect(b.length).toBe(59)
    expect(hex(b)).toMatchInlineSnapshot(
      `"03000000010707070707070707070707070707070707070707070707070707070707070707090909090909090909090909090909090000012c6869"`,
    )
  })

  it('its MESSAGE delivery', () => {
    const b = encodeMessage(topic, id, payload)
    expect(b.length).toBe(51)
    expect(hex(b)).toMatchInlineSnapshot(
      `"830707070707070707070707070707070707070707070707070707070707070707090909090909090909090909090909096869"`,
    )
  })

  it('SUBSCRIBE, ACK, OK, PING and ERROR', () => {
    expect(hex(encodeSubscribe(1, [topic]))).toBe(`010000000101${'07'.repeat(32)}`)
    expect(hex(encodeUnsubscribe(1, [topic]))).toBe(`020000000101${'07'.repeat(32)}`)
    expect(hex(encodeAck(1, [{ topic, id }]))).toBe(`040000000101${'07'.repeat(32)}${'09'.repeat(16)}`)
    expect(encodeAck(1, [{ topic, id }]).length).toBe(54)
    expect(hex(encodeOk(1))).toBe('8100000001')
    expect(hex(encodePing(0xfffffffe))).toBe('05fffffffe')
    expect(hex(encodeError(1, RelayErrorCode.RateLimited, 'rate limited'))).toBe(
      '8200000001000772617465206c696d69746564',
    )
  })

  it('every relay error code is in the table of PROTOCOL.md §13.6', () => {
    const doc = readFileSync(new URL('../../../docs/PROTOCOL.md', import.meta.url), 'utf8')
    const table = doc.slice(doc.indexOf('### 13.6'), doc.indexOf('### 13.7'))
    for (const [code, name] of Object.entries(RelayErrorName)) {
      expect(table).toContain(`| ${code} | \`${name}\` |`)
    }
  })

  it('error codes and names are stable', () => {
    expect(RelayErrorName).toEqual({
      1: 'MALFORMED_FRAME',
      2: 'NOT_BINARY',
      3: 'TOO_MANY_TOPICS',
      4: 'TOPIC_MAILBOX_FULL',
      5: 'RELAY_MAILBOX_FULL',
      6: 'TTL_OUT_OF_RANGE',
      7: 'RATE_LIMITED',
      8: 'NOT_SUBSCRIBED',
      9: 'SHUTTING_DOWN',
      10: 'CONNECTION_QUOTA_EXCEEDED',
      11: 'IP_QUOTA_EXCEEDED',
      16: 'STORAGE_UNAVAILABLE',
      17: 'MAILBOX_LOST',
    })
    for (const [name, code] of Object.entries(RelayErrorCode)) {
      expect(RelayErrorName[code].replace(/_/g, '').toLowerCase()).toBe(name.toLowerCase())
    }
  })
})
