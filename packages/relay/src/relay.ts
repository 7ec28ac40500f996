import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Duplex } from 'node:stream'
import { encodeError, RelayCloseCode, RelayErrorCode } from '@pairline/wire'
import { type WebSocket, WebSocketServer } from 'ws'
import { MemoryBroker } from './broker/memory.js'
import { createRedisBroker, type RedisBrokerOptions } from './broker/redis/index.js'
import type { Broker } from './broker/types.js'
import { Connection, connectionOf } from './connection.js'
import { type RelayLimits, resolveLimits } from './limits.js'
import { type RelayLogger, silentLogger } from './log.js'
import { Metrics } from './metrics.js'
import { sendUnavailable, storageEvents } from './storage.js'

export type RelayOptions = {
  /** Interface to bind. Defaults to 127.0.0.1: listening on others is an explicit choice. */
  host?: string
  /** Port; 0 picks a free one (see `relay.port`). */
  port?: number
  limits?: Partial<RelayLimits>
  /** Storage and fan-out; the in-memory broker by default. */
  broker?: Broker
  /** Several relay nodes sharing one Redis or Redis Cluster (docs/OPERATORS.md); ignored with `broker`. */
  redis?: RedisBrokerOptions
  logger?: RelayLogger
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  trustProxy?: boolean
  /** How long close() waits for clients to leave before terminating them. */
  shutdownTimeoutMs?: number
  /** Clock in unix ms (tests). */
  now?: () => number
}

export type Relay = {
  /** ws://host:port */
  readonly url: string
  readonly host: string
  readonly port: number
  readonly limits: RelayLimits
  /** Prometheus text, as served on GET /metrics. */
  metrics(): string
  /** Stops accepting, asks clients to reconnect (close code 1012), and resolves when all is closed. */
  close(): Promise<void>
}

function destroySocket(this: Duplex): void {
  this.destroy()
}

/** Starts a relay and resolves once it listens. */
export async function createRelay(options: RelayOptions = {}): Promise<Relay> {
  const host = options.host ?? '127.0.0.1'
  const limits = resolveLimits(options.limits)
  const logger = options.logger ?? silentLogger
  const now = options.now ?? Date.now
  const broker: Broker =
    options.broker ??
    (options.redis ? await createRedisBroker(options.redis, limits, now) : new MemoryBroker(limits, now()))
  const metrics = new Metrics()
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000
  const connections = new Set<Connection>()
  const context = { broker, limits, metrics, logger, now }
  const perIp = new Map<string, number>()
  /** Sockets refused at a connection limit, until they are closed. */
  const refused = new Set<WebSocket>()
  let closing: Promise<void> | null = null

  const subscriptions = () => {
    let n = 0
    for (const c of connections) n += c.topics.length
    return n
  }
  const renderMetrics = () => metrics.render(broker.stats(), subscriptions())

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/healthz') {
      const degraded = broker.health?.() === 'degraded'
      res
        .writeHead(closing || degraded ? 503 : 200, { 'content-type': 'text/plain' })
        .end(closing ? 'shutting down\n' : degraded ? 'degraded: storage unavailable\n' : 'ok\n')
    } else if (req.method === 'GET' && path === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(renderMetrics())
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n')
    }
  })
  server.on('clientError', (_err, socket: Duplex) => socket.destroy())

  const wss = new WebSocketServer({
    noServer: true,
    // We track connections ourselves; ws's own Set would be a second entry per socket.
    clientTracking: false,
    maxPayload: limits.maxFrameBytes,
    perMessageDeflate: false,
  })
  wss.on('error', (err) => logger('error', 'websocket server error', { error: err.name }))

  const clientIp = (req: IncomingMessage): string => {
    if (options.trustProxy) {
      const fwd = req.headers['x-forwarded-for']
      const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim()
      if (first) return first
    }
    return req.socket.remoteAddress ?? 'unknown'
  }

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', destroySocket)
    if (closing) {
      socket.destroy()
      return
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, clientIp(req)))
  })

  // Shared listeners (`this` is the socket): no closures per connection.
  function onSocketError(this: WebSocket, err: Error & { code?: string }): void {
    const tooLarge = err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'
    metrics.drop(tooLarge ? 'frame_too_large' : 'protocol_error')
    if (tooLarge) metrics.limit('frame_bytes')
  }
  function onSocketClose(this: WebSocket): void {
    const conn = connectionOf(this)
    if (!conn) return
    conn.release()
    connections.delete(conn)
    const left = (perIp.get(conn.ip) ?? 1) - 1
    if (left <= 0) perIp.delete(conn.ip)
    else perIp.set(conn.ip, left)
    metrics.connections = connections.size
  }

  function onConnection(ws: WebSocket, ip: string): void {
    // Every socket gets an 'error' listener first: ws emits one for oversized or invalid frames,
    // and an unhandled one would crash the process.
    ws.on('error', onSocketError)
    if (broker.health?.() === 'degraded') {
      metrics.drop('storage_unavailable')
      sendUnavailable(ws)
      refuse(ws, RelayCloseCode.TryAgainLater, 'storage unavailable')
      return
    }
    const count = perIp.get(ip) ?? 0
    if (count >= limits.maxConnectionsPerIp) {
      metrics.limit('connections_per_ip')
      refuse(ws, RelayCloseCode.PolicyViolation, 'too many connections from this address')
      return
    }
    if (connections.size >= limits.maxConnections) {
      metrics.limit('connections')
      refuse(ws, RelayCloseCode.TryAgainLater, 'relay full')
      return
    }
    perIp.set(ip, count + 1)
    connections.add(new Connection(ws, ip, context))
    metrics.connections = connections.size
    metrics.connectionsTotal++
    ws.on('close', onSocketClose)
  }

  /**
   * Closes with `code`, but a refused socket counts against no limit, so it is not left to ws's 30 s
   * close timeout when the client does not answer: terminated after 1 s, or by close().
   */
  function refuse(ws: WebSocket, code: number, reason: string): void {
    refused.add(ws)
    ws.once('close', () => refused.delete(ws))
    ws.close(code, reason)
    setTimeout(() => ws.terminate(), 1000).unref()
  }

  broker.watch?.(storageEvents(() => [...connections].map((c) => c.ws), metrics, logger))

  const heartbeat = setInterval(() => {
    for (const conn of connections) {
      if (!conn.alive) {
        metrics.drop('heartbeat_timeout')
        conn.ws.terminate()
        continue
      }
      conn.alive = false
      conn.ws.ping()
    }
  }, limits.heartbeatIntervalMs)
  heartbeat.unref()

  const sweeper = setInterval(() => {
    const r = broker.sweep(now())
    if (r) r.catch((err: Error) => logger('error', 'sweep failed', { error: err.name }))
  }, 1000)
  sweeper.unref()

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  server.on('error', (err) => logger('error', 'http server error', { error: err.name }))
  const port = (server.address() as AddressInfo).port
  const urlHost = host.includes(':') ? `[${host}]` : host
  logger('info', 'relay listening', { host, port })

  async function shutdown(): Promise<void> {
    clearInterval(heartbeat)
    clearInterval(sweeper)
    const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()))
    const goodbye = encodeError(0, RelayErrorCode.ShuttingDown, 'relay shutting down')
    const open = [...connections].map((c) => c.ws)
    const allClosed = Promise.all(
      open.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === ws.CLOSED) return resolve()
            ws.once('close', () => resolve())
            if (ws.readyState === ws.OPEN) ws.send(goodbye)
            ws.close(RelayCloseCode.ServiceRestart, 'relay restarting')
          }),
      ),
    )
    let timer: NodeJS.Timeout | undefined
    await Promise.race([allClosed, new Promise<void>((r) => (timer = setTimeout(r, shutdownTimeoutMs)))])
    clearTimeout(timer)
    for (const ws of [...open, ...refused]) ws.terminate()
    // Terminated sockets emit 'close' a tick later: wait, so every connection is released first.
    await allClosed
    wss.close()
    server.closeAllConnections()
    await serverClosed
    await broker.close()
    logger('info', 'relay stopped')
  }

  return {
    url: `ws://${urlHost}:${port}`,
    host,
    port,
    limits,
    metrics: renderMetrics,
    close() {
      closing ??= shutdown()
      return closing
    },
  }
}
