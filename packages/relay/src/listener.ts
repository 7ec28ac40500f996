import { createServer as createHttpServer, type Server as HttpServer, type IncomingMessage } from 'node:http'
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server as NetServer,
  type Socket,
} from 'node:net'
import type { Duplex } from 'node:stream'
import { type SecureContext, TLSSocket } from 'node:tls'
import type { AddressPolicy } from './address.js'
import type { RelayLimits } from './limits.js'
import type { Metrics } from './metrics.js'
import { listenOn } from './ops.js'
import { parseProxyHeader } from './proxyProtocol.js'

/**
 * The client port: TCP accept, the PROXY header and TLS (when configured), the HTTP upgrade, and
 * the limits that hold before a WebSocket exists. Every TCP connection counts toward its
 * address's connection limit from accept to close, pending or upgraded, and is dropped when it has
 * not upgraded within `upgradeTimeoutMs` (checked once a second): a half-open upgrade costs a slot
 * and a few seconds, no more (before, Node's 60 s header timeout let one address hold hundreds).
 */
export type ClientSocket = {
  /** the client address (after the PROXY header and trusted X-Forwarded-For hops) */
  readonly address: string
  /** the key per-IP limits count (IPv6: its prefix) */
  readonly key: string
}

export type ListenerOptions = {
  host: string
  port: number
  limits: RelayLimits
  addresses: AddressPolicy
  proxyProtocol: boolean
  tls: SecureContext | null
  metrics: Metrics
  now: () => number
  /** An upgrade request within the deadline; `overLimit`: its address is at maxConnectionsPerIp. */
  onUpgrade(
    req: IncomingMessage,
    socket: Duplex,
    head: Buffer,
    client: ClientSocket,
    overLimit: boolean,
  ): void
}

type Entry = {
  raw: Socket
  /** the socket HTTP runs on: `raw`, or the TLS socket over it */
  app: Duplex
  peer: string
  /** the per-IP key this socket is counted under, once counted */
  key: string | null
  /** unix ms (the relay's clock) of the TCP accept */
  acceptedAt: number
}

export class Listener {
  readonly #o: ListenerOptions
  readonly #net: NetServer
  readonly #http: HttpServer
  readonly #byApp = new WeakMap<Duplex, Entry>()
  readonly #perIp = new Map<string, number>()
  /** accepted and not yet upgraded: the deadline applies */
  readonly #pending = new Set<Entry>()

  /** One 'close' listener for every socket (`this` is the socket): no closure per connection. */
  readonly #onRawClose: (this: Socket) => void

  constructor(options: ListenerOptions) {
    this.#o = options
    const self = this
    this.#onRawClose = function (this: Socket) {
      const e = self.#byApp.get(this)
      if (e) self.#closed(e)
    }
    this.#http = createHttpServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' })
      res.end('WebSocket upgrades only; /healthz and /metrics are on the operations listener\n')
    })
    this.#http.on('clientError', (_err, socket: Duplex) => socket.destroy())
    this.#http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.#upgrade(req, socket, head),
    )
    this.#net = createNetServer((raw) => this.#accept(raw))
  }

  /** Binds; RELAY_LISTEN_FAILED when it cannot. Resolves with the port. */
  async listen(): Promise<number> {
    await listenOn(this.#net, this.#o.host, this.#o.port, 'client')
    this.#net.on('error', () => {}) // after listening, accept errors (EMFILE) are retried by Node
    return (this.#net.address() as AddressInfo).port
  }

  /** Connections counted under `key` (pending and upgraded). */
  connectionsOf(key: string): number {
    return this.#perIp.get(key) ?? 0
  }

  get pending(): number {
    return this.#pending.size
  }

  /** The upgrade of `socket` completed: its deadline no longer applies. */
  upgraded(socket: Duplex): void {
    const e = this.#byApp.get(socket)
    if (e) this.#pending.delete(e)
  }

  /**
   * Drops every connection accepted `upgradeTimeoutMs` or more before `nowMs` and not upgraded.
   * Run by the relay's once-a-second sweep, on its clock: one scan of the pending connections
   * (at most maxPendingUpgrades) instead of a timer per connection, and testable with a fake clock.
   */
  expirePending(nowMs: number): void {
    const deadline = nowMs - this.#o.limits.upgradeTimeoutMs
    for (const e of this.#pending) {
      if (e.acceptedAt > deadline) continue
      this.#pending.delete(e)
      this.#o.metrics.limit('upgrade_timeout')
      this.#o.metrics.drop('upgrade_timeout')
      e.app.destroy()
      e.raw.destroy()
    }
  }

  /** Stops accepting; resolves once the port is closed. Open sockets are left to the caller. */
  close(): Promise<void> {
    return new Promise((resolve) => this.#net.close(() => resolve()))
  }

  /** Destroys every socket still pending (shutdown). */
  destroyPending(): void {
    for (const e of this.#pending) e.app.destroy()
  }

  #count(e: Entry, key: string): void {
    e.key = key
    this.#perIp.set(key, (this.#perIp.get(key) ?? 0) + 1)
  }

  #accept(raw: Socket): void {
    const { limits, metrics } = this.#o
    raw.on('error', destroySelf)
    if (this.#pending.size >= limits.maxPendingUpgrades) {
      metrics.limit('pending_upgrades')
      raw.destroy()
      return
    }
    const peer = raw.remoteAddress ?? 'unknown'
    const e: Entry = { raw, app: raw, peer, key: null, acceptedAt: this.#o.now() }
    this.#pending.add(e)
    this.#byApp.set(raw, e)
    raw.once('close', this.#onRawClose)
    if (this.#o.proxyProtocol) this.#readProxyHeader(e)
    else this.#start(e, null)
  }

  #closed(e: Entry): void {
    this.#pending.delete(e)
    if (e.key === null) return
    const left = (this.#perIp.get(e.key) ?? 1) - 1
    if (left <= 0) this.#perIp.delete(e.key)
    else this.#perIp.set(e.key, left)
  }

  #readProxyHeader(e: Entry): void {
    let buffered: Buffer = Buffer.alloc(0)
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk])
      const header = parseProxyHeader(buffered)
      if (header.state === 'partial') return
      e.raw.off('data', onData)
      if (header.state === 'invalid') {
        this.#o.metrics.drop('proxy_header')
        e.raw.destroy()
        return
      }
      if (header.address !== null) e.peer = header.address
      this.#start(e, header.rest)
    }
    e.raw.on('data', onData)
  }

  /** Counts the socket under its peer's address (unless the peer is a trusted proxy) and runs HTTP on it. */
  #start(e: Entry, rest: Buffer | null): void {
    const { addresses, limits, metrics, tls } = this.#o
    const peer = addresses.clientAddress(e.peer, undefined)
    if (!addresses.isTrustedProxy(peer)) {
      const key = addresses.limitKey(peer)
      if (this.connectionsOf(key) >= limits.maxConnectionsPerIp) {
        // No WebSocket yet to send 1008 on: the TCP connection is closed at once.
        metrics.limit('connections_per_ip')
        e.raw.destroy()
        return
      }
      this.#count(e, key)
    }
    if (tls) {
      if (rest && rest.length > 0) e.raw.unshift(rest) // TLSSocket reads what is buffered first
      const secure = new TLSSocket(e.raw, { isServer: true, secureContext: tls, ALPNProtocols: ['http/1.1'] })
      secure.on('error', destroySelf)
      e.app = secure
    }
    this.#byApp.set(e.app, e)
    this.#http.emit('connection', e.app)
    // HTTP reads the socket's handle directly from here on: bytes that came with the header go first.
    if (!tls && rest && rest.length > 0) e.raw.emit('data', rest)
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const e = this.#byApp.get(socket)
    if (!e || !this.#pending.has(e)) {
      socket.destroy()
      return
    }
    const { addresses, limits } = this.#o
    const address = addresses.clientAddress(e.peer, req.headers['x-forwarded-for'])
    const key = addresses.limitKey(address)
    let overLimit = false
    if (e.key === null) {
      overLimit = this.connectionsOf(key) >= limits.maxConnectionsPerIp
      if (!overLimit) this.#count(e, key)
    }
    this.#o.onUpgrade(req, socket, head, { address, key }, overLimit)
  }
}

function destroySelf(this: Duplex): void {
  this.destroy()
}
