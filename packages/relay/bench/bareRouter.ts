/**
 * The floor for the relay benchmark: the least a WebSocket topic router speaking the same binary
 * wire format can do. SUBSCRIBE adds the socket to the topic's set, PUBLISH sends a MESSAGE frame
 * to each subscriber, every request is answered OK. No mailbox, no limits, no metrics, no acks.
 * As a script it runs as a benchmark child (see child.ts).
 */
import type { AddressInfo } from 'node:net'
import { decodeClientFrame, encodeMessage, encodeOk, Op, RELAY_PROTOCOL_V2 } from '@pairline/wire'
import { type WebSocket, WebSocketServer } from 'ws'
import { type ChildServer, isMain, serveAsChild } from './child.js'

/** Same as the relay's default maxFrameBytes. */
const MAX_PAYLOAD = 64 * 1024

/**
 * Corks each socket on its first write in a tick and uncorks them all on the next tick, so a tick's
 * writes to one socket leave in one syscall, as the relay does: the floor is a floor (issue 16).
 * BENCH_FLOOR_CORK=0: the naive router, one syscall per frame.
 */
const CORK = process.env.BENCH_FLOOR_CORK !== '0'
/**
 * BENCH_FLOOR_QUIET=1: the floor accepts reply mode 2's name (PROTOCOL.md §13.3.1) and then does
 * not answer ACKs at all (every other request still gets its own OK). Default: it names no
 * subprotocol and answers every frame, ACKs included.
 */
const QUIET = process.env.BENCH_FLOOR_QUIET === '1'
type Corkable = { cork(): void; uncork(): void }
const corked = new Set<Corkable>()
const uncorkAll = () => {
  for (const s of corked) s.uncork()
  corked.clear()
}
function send(ws: WebSocket, frame: Uint8Array): void {
  if (CORK) {
    const socket = (ws as WebSocket & { _socket?: Corkable })._socket
    if (socket && !corked.has(socket)) {
      if (corked.size === 0) process.nextTick(uncorkAll)
      corked.add(socket)
      socket.cork()
    }
  }
  ws.send(frame)
}

const topicKey = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1')

export async function startBareRouter(port = 0, host = '127.0.0.1'): Promise<ChildServer> {
  const topics = new Map<string, Set<WebSocket>>()
  const wss = new WebSocketServer({
    host,
    port,
    maxPayload: MAX_PAYLOAD,
    perMessageDeflate: false,
    handleProtocols: (offered: Set<string>) =>
      QUIET && offered.has(RELAY_PROTOCOL_V2) ? RELAY_PROTOCOL_V2 : false,
  })
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve)
    wss.once('error', reject)
  })

  wss.on('connection', (ws) => {
    const mine: string[] = []
    ws.on('error', () => {})
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return
      const frame = decodeClientFrame(data)
      if (!frame) return
      switch (frame.op) {
        case Op.Subscribe:
          for (const t of frame.topics) {
            const k = topicKey(t)
            let set = topics.get(k)
            if (!set) {
              set = new Set()
              topics.set(k, set)
            }
            if (!set.has(ws)) {
              set.add(ws)
              mine.push(k)
            }
          }
          break
        case Op.Publish: {
          const set = topics.get(topicKey(frame.topic))
          if (set) {
            const out = encodeMessage(frame.topic, frame.id, frame.payload)
            for (const s of set) send(s, out)
          }
          break
        }
        default:
          break
      }
      if (!(QUIET && frame.op === Op.Ack)) send(ws, encodeOk(frame.rid))
    })
    ws.on('close', () => {
      for (const k of mine) {
        const set = topics.get(k)
        if (!set) continue
        set.delete(ws)
        if (set.size === 0) topics.delete(k)
      }
    })
  })

  const { port: actual } = wss.address() as AddressInfo
  return {
    url: `ws://${host}:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of wss.clients) ws.terminate()
        wss.close(() => resolve())
      }),
  }
}

if (isMain(import.meta.url)) await serveAsChild(() => startBareRouter())
