/**
 * Helpers for the relay client's tests (Node only: real sockets on 127.0.0.1). The client factory
 * is passed in (`new Clients(createRelayClient)`), so this kit needs nothing from the SDK beyond
 * its public types.
 */
import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { createServer, type Server, type Socket } from 'node:net'
import type { RelayClient, RelayClientEvents } from '@pairline/sdk'
import { type Topic, toBase64Url } from '@pairline/sdk/protocol'
import { WebSocket, WebSocketServer } from 'ws'

export { waitFor } from './wait.js'

type EventName = keyof RelayClientEvents
/** A relay topic as the SDK spells it (base64url of 32 bytes). */
export const randomTopic = (): Topic => toBase64Url(new Uint8Array(randomBytes(32)))
export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

/** Fast reconnects and short timeouts, so a test never waits on defaults. */
export const FAST = {
  reconnect: { initialDelayMs: 10, maxDelayMs: 50 },
  requestTimeoutMs: 2000,
} as const

/** What `new Clients(...)` needs from a relay-client factory (the SDK's `createRelayClient`). */
export type ClientFactory<O extends { url: string }> = (options: O) => RelayClient

/**
 * A WebSocket constructor (ws's) for a client's `WebSocket` option that counts the sockets the
 * client opens: a reconnect, however it is scheduled, opens one synchronously in its timer.
 */
export function countingWebSocket(): {
  readonly opened: number
  WebSocket: new (url: string, protocols?: string[]) => WebSocket
} {
  let opened = 0
  class Counted extends WebSocket {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols)
      opened++
    }
  }
  return {
    get opened() {
      return opened
    },
    WebSocket: Counted,
  }
}

/** A frame a `writeCountingSocket` was asked to send: its op and the socket writes made before it. */
export type SentFrame = { op: number; write: number }

/**
 * A WebSocket constructor (ws's) that records each frame it is asked to send with the number of
 * writes to its TCP socket made before it. Every write, a corked batch of frames included, goes
 * through net.Socket's `_writeGeneric`: two frames recorded with the same count and followed by
 * one write left in one syscall.
 */
export function writeCountingSocket(): {
  readonly seen: { sent: SentFrame[]; writes: number }
  WebSocket: new (url: string, protocols?: string[]) => WebSocket
} {
  const seen = { sent: [] as SentFrame[], writes: 0 }
  class Counting extends WebSocket {
    constructor(url: string, protocols?: string[]) {
      super(url, protocols)
      this.on('open', () => {
        const socket = (this as unknown as { _socket: Record<string, (...a: unknown[]) => unknown> })._socket
        const write = socket._writeGeneric!
        socket._writeGeneric = function (this: unknown, ...args: unknown[]) {
          seen.writes++
          return write.apply(this, args)
        }
      })
    }
    override send(data: Uint8Array): void {
      seen.sent.push({ op: data[0]!, write: seen.writes })
      super.send(data)
    }
  }
  return { seen, WebSocket: Counting }
}

/** Creates clients for one test and closes all of them in `cleanup()` (afterEach). */
export class Clients<O extends { url: string }> {
  readonly #all: RelayClient[] = []
  readonly #factory: ClientFactory<O>

  constructor(factory: ClientFactory<O>) {
    this.#factory = factory
  }

  create(url: string, options: Partial<Omit<O, 'url'>> = {}): RelayClient {
    // O is the factory's own options type: url, FAST and the overrides are each a part of it
    const client = this.#factory({ url, ...FAST, ...options } as unknown as O)
    this.#all.push(client)
    return client
  }

  async cleanup(): Promise<void> {
    await Promise.all(this.#all.splice(0).map((c) => c.close()))
  }
}

/** The arguments of the next `event`, or a rejection after `timeoutMs`. */
export function nextEvent<E extends EventName>(
  client: RelayClient,
  event: E,
  timeoutMs = 3000,
): Promise<Parameters<RelayClientEvents[E]>> {
  return new Promise((resolve, reject) => {
    const fn = ((...args: Parameters<RelayClientEvents[E]>) => {
      clearTimeout(timer)
      resolve(args)
    }) as RelayClientEvents[E]
    const timer = setTimeout(() => {
      client.off(event, fn)
      reject(new Error(`no '${event}' event within ${timeoutMs} ms`))
    }, timeoutMs)
    client.once(event, fn)
  })
}

/** Records the first argument of every `event` from now on. */
export function record<E extends EventName>(
  client: RelayClient,
  event: E,
): Parameters<RelayClientEvents[E]>[0][] {
  const seen: Parameters<RelayClientEvents[E]>[0][] = []
  client.on(event, ((first: Parameters<RelayClientEvents[E]>[0]) => {
    seen.push(first)
  }) as unknown as RelayClientEvents[E])
  return seen
}

export type ScriptedServer = {
  url: string
  /** Every socket accepted so far, in order. */
  readonly sockets: WebSocket[]
  close(): Promise<void>
}

/**
 * A WebSocket server on 127.0.0.1 that plays a relay badly on purpose: `onConnection` decides what
 * it does (nothing at all, garbage, scripted replies). Every frame it receives is passed to
 * `onFrame` as bytes.
 */
export async function scriptedServer(
  onConnection: (ws: WebSocket, index: number) => void = () => {},
  onFrame: (ws: WebSocket, frame: Uint8Array, index: number) => void = () => {},
): Promise<ScriptedServer> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()))
  const sockets: WebSocket[] = []
  wss.on('connection', (ws) => {
    const index = sockets.length
    sockets.push(ws)
    ws.on('error', () => {})
    ws.on('message', (data: Buffer) => onFrame(ws, new Uint8Array(data), index))
    onConnection(ws, index)
  })
  const { port } = wss.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}`,
    sockets,
    async close() {
      for (const ws of sockets) ws.terminate()
      await new Promise<void>((resolve) => wss.close(() => resolve()))
    },
  }
}

/** A TCP server that accepts connections and never says a word (no WebSocket upgrade). */
export async function muteTcpServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>()
  const server: Server = createServer((s) => {
    sockets.add(s)
    s.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  return {
    url: `ws://127.0.0.1:${port}`,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

/** A ws:// url where nothing listens (a port just freed). */
export async function deadUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `ws://127.0.0.1:${port}`
}
