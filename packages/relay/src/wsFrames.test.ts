import { Harness, randomId, randomTopic } from '@pairline/testkit/relay'
import { encodeMessage, encodePublish, encodeSubscribe, RELAY_PROTOCOL_V2, Reply } from '@pairline/wire'
import { afterEach, describe, expect, it } from 'vitest'
import * as wsModule from 'ws'
import { WebSocket } from 'ws'
import { binaryHeader } from './wsFrames.js'

/** ws's own Sender (exported at run time, not in @types/ws). */
const { Sender } = wsModule as unknown as {
  Sender: { frame(data: Buffer, options: Record<string, boolean | number>): Buffer[] }
}

const h = new Harness()
afterEach(() => h.cleanup())

/** What ws's own Sender writes for an unmasked final binary frame: header and payload, joined. */
function wsFrame(payload: Buffer): Buffer {
  const list = Sender.frame(payload, { fin: true, opcode: 2, mask: false, readOnly: false, rsv1: false })
  return Buffer.concat(list)
}

describe('frames the relay writes to the socket itself (wsFrames.ts)', () => {
  it("are ws's Sender's bytes at each length encoding's edges (7-bit, 16-bit, 64-bit)", () => {
    for (const n of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
      const payload = Buffer.alloc(n, n & 0xff)
      expect(Buffer.concat([binaryHeader(n), payload]).equals(wsFrame(payload)), `length ${n}`).toBe(true)
    }
  })

  it('hands out one header per length and never changes it (socket writes keep a reference)', () => {
    const a = binaryHeader(1073)
    expect(binaryHeader(1073)).toBe(a)
    expect([...a]).toEqual([0x82, 126, 0x04, 0x31])
  })

  it('a client reads each MESSAGE whole at those edges, over a real relay, in either reply mode', async () => {
    const relay = await h.relay({ limits: { maxFrameBytes: 80_000 } })
    for (const protocols of [[], [RELAY_PROTOCOL_V2]]) {
      const ws = new WebSocket(relay.url, protocols)
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
      const got: Buffer[] = []
      ws.on('message', (data: Buffer) => data[0] === Reply.Message && got.push(data))
      const topic = randomTopic()
      const okd = new Promise((resolve) => ws.once('message', resolve))
      ws.send(encodeSubscribe(1, [topic]))
      await okd
      // MESSAGE lengths 125, 126, 65,535 and 65,536: payloads 49 bytes shorter
      const expected = [76, 77, 65_486, 65_487].map((n, i) => {
        const id = randomId()
        const payload = Buffer.alloc(n, i + 1)
        ws.send(encodePublish(2 + i, topic, id, 60, payload))
        return Buffer.from(encodeMessage(topic, id, payload))
      })
      while (got.length < expected.length) await new Promise((resolve) => ws.once('message', resolve))
      expect(got.map((b) => b.length)).toEqual([125, 126, 65_535, 65_536])
      expect(got.every((b, i) => b.equals(expected[i]!))).toBe(true)
      ws.terminate()
    }
  })
})
