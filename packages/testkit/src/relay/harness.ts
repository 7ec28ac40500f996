/** Around the test client: relays and clients per test, a fake clock, metrics, raw HTTP and TCP. */
import { randomBytes } from 'node:crypto'
import { get } from 'node:http'
import { type Socket, connect as tcpConnect } from 'node:net'
import { createRelay, type Relay, type RelayOptions } from '@pairline/relay'
import type { ClientOptions } from 'ws'
import { TestClient } from './client.js'

/** Starts relays and clients for one test and tears all of them down in `cleanup()` (afterEach). */
export class Harness {
  readonly #relays: Relay[] = []
  readonly #clients: TestClient[] = []

  async relay(options: RelayOptions = {}): Promise<Relay> {
    const relay = await createRelay({ port: 0, shutdownTimeoutMs: 1000, ...options })
    this.#relays.push(relay)
    return relay
  }

  async client(relay: Relay | string, options?: ClientOptions): Promise<TestClient> {
    const c = await TestClient.connect(typeof relay === 'string' ? relay : relay.url, options)
    this.#clients.push(c)
    return c
  }

  async cleanup(): Promise<void> {
    for (const c of this.#clients.splice(0)) c.ws.terminate()
    await Promise.all(this.#relays.splice(0).map((r) => r.close()))
  }
}

/** A clock to hand to `createRelay({ now })`: expiry stamps, the sweeper and token buckets read it. */
export class FakeClock {
  t = Date.now()
  readonly now = (): number => this.t
  advance(ms: number): void {
    this.t += ms
  }
}

/** The value of one sample in Prometheus text, e.g. metric(text, 'x_total', '{limit="ttl"}'). */
export function metric(text: string, name: string, labels = ''): number | undefined {
  const prefix = `${name}${labels} `
  const line = text.split('\n').find((l) => l.startsWith(prefix))
  return line === undefined ? undefined : Number(line.slice(prefix.length))
}

export type HttpResponse = { status: number; body: string; contentType: string | undefined }

/** GET over a fresh connection (no keep-alive pool shared between tests). */
export function httpGet(url: string): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    get(url, { agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        body += chunk
      })
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }),
      )
      res.on('error', reject)
    }).on('error', reject)
  })
}

/** A URL on the relay's operations listener (/healthz, /metrics: not on the client port). */
export function httpUrl(relay: Relay, path: string): string {
  if (!relay.opsUrl) throw new Error('this relay has no operations listener (ops: false)')
  return `${relay.opsUrl}${path}`
}

export type RawSocket = { socket: Socket; received: () => Buffer; ended: Promise<void> }

/**
 * A WebSocket upgrade done by hand over TCP, then nothing: it never answers a close frame (or
 * anything else). Resolves once the 101 has arrived.
 */
export function rawUpgrade(relay: Relay, headers: Record<string, string> = {}): Promise<RawSocket> {
  const socket = tcpConnect(relay.port, relay.host)
  let received = Buffer.alloc(0)
  const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  socket.on('error', () => {})
  return new Promise((resolve, reject) => {
    socket.on('data', (d: Buffer) => {
      received = Buffer.concat([received, d])
      if (received.includes('\r\n\r\n')) {
        if (!received.toString('latin1').startsWith('HTTP/1.1 101 ')) reject(new Error('upgrade refused'))
        resolve({ socket, received: () => received, ended })
      }
    })
    socket.once('connect', () => {
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`)
      socket.write(
        'GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n${extra.join('')}\r\n`,
      )
    })
    void ended.then(() => reject(new Error('closed before the upgrade')))
  })
}
