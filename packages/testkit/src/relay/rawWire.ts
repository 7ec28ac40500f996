/**
 * A WebSocket client written by hand over TCP for tests that need several frames in **one** TCP
 * write (so the relay reads them in one go, as under load) and every reply in the exact order it
 * came: reply mode 2 coalesces the OKs of requests read together (PROTOCOL.md §13.3.1).
 */

import type { Relay } from '@pairline/relay'
import { decodeRelayFrame, type RelayFrame, Reply } from '@pairline/wire'
import { rawUpgrade } from './harness.js'

/** What a reply reads as in an assertion: 'OK 3', 'ERROR 2 TTL_OUT_OF_RANGE', 'MESSAGE <id hex>'. */
export type ReplyLine = string

export type RawWire = {
  /** The subprotocol the relay named in its 101 ('' for none). */
  readonly protocol: string
  /** Sends the frames as masked binary WebSocket messages, all in one TCP write. */
  write(frames: readonly Uint8Array[]): void
  /** Waits for the next `n` frames from the relay (after those already taken). */
  next(n: number, names?: Record<number, string>): Promise<ReplyLine[]>
  close(): void
}

/** One masked binary frame (FIN, opcode 2). The mask key is fixed: the relay unmasks whatever it is. */
function wsFrame(payload: Uint8Array): Buffer {
  const mask = Buffer.from([0x12, 0x34, 0x56, 0x78])
  const len = payload.length
  const head =
    len < 126 ? Buffer.from([0x82, 0x80 | len]) : Buffer.from([0x82, 0x80 | 126, len >>> 8, len & 0xff])
  const body = Buffer.from(payload.map((b, i) => b ^ mask[i & 3]!))
  return Buffer.concat([head, mask, body])
}

function line(f: RelayFrame, names: Record<number, string>): ReplyLine {
  if (f.type === Reply.Ok) return `OK ${f.rid}`
  if (f.type === Reply.Error) return `ERROR ${f.rid} ${names[f.code] ?? f.code}`
  return `MESSAGE ${Buffer.from(f.id).toString('hex')}`
}

export async function rawWire(relay: Relay, protocol?: string): Promise<RawWire> {
  const raw = await rawUpgrade(relay, protocol ? { 'Sec-WebSocket-Protocol': protocol } : {})
  const all = raw.received()
  const headEnd = all.indexOf('\r\n\r\n') + 4
  const head = all.subarray(0, headEnd).toString('latin1')
  const named = /^sec-websocket-protocol: *(.*?)\r$/im.exec(head)?.[1] ?? ''
  let buffered = Buffer.from(all.subarray(headEnd))
  const frames: RelayFrame[] = []
  const waiters: (() => void)[] = []
  const parse = () => {
    for (;;) {
      if (buffered.length < 2) return
      let len = buffered[1]! & 0x7f
      let at = 2
      if (len === 126) {
        if (buffered.length < 4) return
        len = buffered.readUInt16BE(2)
        at = 4
      }
      if (buffered.length < at + len) return
      const f = decodeRelayFrame(new Uint8Array(buffered.subarray(at, at + len)))
      if (f === null) throw new Error('the relay sent an undecodable frame')
      frames.push(f)
      buffered = buffered.subarray(at + len)
      for (const w of waiters.splice(0)) w()
    }
  }
  parse()
  raw.socket.on('data', (d: Buffer) => {
    buffered = Buffer.concat([buffered, d])
    parse()
  })
  let taken = 0
  return {
    protocol: named,
    write(list) {
      raw.socket.write(Buffer.concat(list.map(wsFrame)))
    },
    async next(n, names = {}) {
      while (frames.length < taken + n) {
        await Promise.race([
          new Promise<void>((r) => waiters.push(r)),
          raw.ended.then(() => {
            throw new Error(`socket closed after ${frames.length - taken} of ${n} frames`)
          }),
        ])
      }
      const out = frames.slice(taken, taken + n).map((f) => line(f, names))
      taken += n
      return out
    },
    close() {
      raw.socket.destroy()
    },
  }
}
