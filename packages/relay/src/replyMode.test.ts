import { Harness, hex, randomId, randomTopic, rawWire } from '@pairline/testkit/relay'
import {
  encodeAck,
  encodePing,
  encodePublish,
  encodeSubscribe,
  RELAY_PROTOCOL_V2,
  RelayErrorName,
} from '@pairline/wire'
import { afterEach, describe, expect, it } from 'vitest'
import { WebSocket } from 'ws'

const h = new Harness()
afterEach(() => h.cleanup())

const bytes = (s: string) => new TextEncoder().encode(s)

function opened(url: string, protocols?: string[]): Promise<WebSocket> {
  const ws = new WebSocket(url, protocols)
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
  })
}

describe('reply modes (PROTOCOL.md §13.3.1)', () => {
  it('mode 2 is the pairline-relay.2 subprotocol, named in the 101 only when offered', async () => {
    const relay = await h.relay()
    const offered = await opened(relay.url, ['x-other', RELAY_PROTOCOL_V2])
    const plain = await opened(relay.url)
    expect([offered.protocol, plain.protocol]).toEqual(['pairline-relay.2', ''])
    offered.terminate()
    plain.terminate()
    // A client offering only names the relay does not know gets none (its own library decides).
    const wire = await rawWire(relay, 'pairline-relay.9')
    expect(wire.protocol).toBe('')
    wire.close()
  })

  it('mode 1 (nothing offered) answers every request, ACKs included, each with its own OK', async () => {
    const relay = await h.relay()
    const wire = await rawWire(relay)
    const topic = randomTopic()
    const id = randomId()
    wire.write([
      encodeSubscribe(1, [topic]),
      encodePublish(2, topic, id, 60, bytes('a')),
      encodeAck(3, [{ topic, id }]),
      encodePing(4),
    ])
    expect(await wire.next(5)).toEqual(['OK 1', `MESSAGE ${hex(id)}`, 'OK 2', 'OK 3', 'OK 4'])
    wire.close()
  })

  it('mode 2: requests read together get one OK, for the last; a successful ACK gets none', async () => {
    const relay = await h.relay()
    const wire = await rawWire(relay, RELAY_PROTOCOL_V2)
    expect(wire.protocol).toBe('pairline-relay.2')
    const topic = randomTopic()
    const [a, b] = [randomId(), randomId()]
    wire.write([
      encodeSubscribe(1, [topic]),
      encodePublish(2, topic, a, 60, bytes('a')),
      encodeAck(3, [{ topic, id: a }]),
      encodePublish(4, topic, b, 60, bytes('b')),
      encodeAck(5, [{ topic, id: b }]),
    ])
    expect(await wire.next(3)).toEqual([`MESSAGE ${hex(a)}`, `MESSAGE ${hex(b)}`, 'OK 4'])
    // Nothing more, and the ACKs took effect: a PING's OK comes next, and a new subscriber of the
    // topic gets nothing stored.
    wire.write([encodePing(6)])
    expect(await wire.next(1)).toEqual(['OK 6'])
    const late = await rawWire(relay, RELAY_PROTOCOL_V2)
    late.write([encodeSubscribe(1, [topic]), encodePing(2)])
    expect(await late.next(1)).toEqual(['OK 2'])
    wire.close()
    late.close()
  })

  it('mode 2: an ERROR comes after the OK of everything before it, in request order', async () => {
    const relay = await h.relay()
    const wire = await rawWire(relay, RELAY_PROTOCOL_V2)
    const mine = randomTopic()
    const foreign = randomTopic()
    wire.write([
      encodeSubscribe(1, [mine]),
      encodePublish(2, randomTopic(), randomId(), 60, bytes('ok')),
      encodePublish(3, randomTopic(), randomId(), 0, bytes('ttl 0')),
      encodePublish(4, randomTopic(), randomId(), 60, bytes('ok')),
      encodeAck(5, [{ topic: foreign, id: randomId() }]),
      encodeAck(6, [{ topic: mine, id: randomId() }]), // unknown id, subscribed: fine, no reply
      encodePing(7),
    ])
    expect(await wire.next(5, RelayErrorName)).toEqual([
      'OK 2',
      'ERROR 3 TTL_OUT_OF_RANGE',
      'OK 4',
      'ERROR 5 NOT_SUBSCRIBED',
      'OK 7',
    ])
    wire.close()
  })
})
