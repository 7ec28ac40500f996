import type { Duplex } from 'node:stream'
import { createSecureContext, type SecureContext } from 'node:tls'
import { encodeError, RELAY_PROTOCOL_V2, RelayCloseCode, RelayErrorCode, replyMode } from '@pairline/wire'
import { type WebSocket, WebSocketServer } from 'ws'
import { createAddressPolicy } from './address.js'
import { MemoryBroker } from './broker/memory.js'
import { createRedisBroker, type RedisBrokerOptions } from './broker/redis/index.js'
import type { Broker } from './broker/types.js'
import { Connection, connectionOf } from './connection.js'
import { RelayError, RelayFailure } from './errors.js'
import { type RelayLimits, resolveLimits } from './limits.js'
import { type ClientSocket, Listener } from './listener.js'
import { type RelayLogger, silentLogger } from './log.js'
import { Metrics } from './metrics.js'
import { type OpsServer, startOps } from './ops.js'
import { sendUnavailable, storageEvents } from './storage.js'
import { SubscriptionCounts } from './subscriptions.js'

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
  /**
   * Proxies (addresses or CIDRs) whose X-Forwarded-For hops are believed: the client address is the
   * rightmost hop not added by one of them (§13.5). Empty (the default): the socket's peer.
   */
  trustedProxies?: readonly string[]
  /** Require a PROXY protocol v1/v2 header on every connection and take the address from it. */
  proxyProtocol?: boolean
  /** Terminate TLS here (PEM certificate chain and key): the relay's URL is then wss://. */
  tls?: { cert: string | Buffer; key: string | Buffer }
  /** The /healthz and /metrics listener: 127.0.0.1 and a free port by default; `false`: none. */
  ops?: { host?: string; port?: number } | false
  /** How long close() waits for clients to leave before terminating them. */
  shutdownTimeoutMs?: number
  /** Clock in unix ms (tests). */
  now?: () => number
}

export type Relay = {
  /** ws://host:port, or wss:// with `tls` */
  readonly url: string
  readonly host: string
  readonly port: number
  /** http://host:port of the operations listener, or null without one */
  readonly opsUrl: string | null
  readonly limits: RelayLimits
  /** Prometheus text, as served on GET /metrics. */
  metrics(): string
  /** Runs the once-a-second sweep now, on `now`'s time: expired messages, upgrades past their deadline. */
  sweep(): Promise<void>
  /** Runs one heartbeat tick now (as every `heartbeatIntervalMs`): for tests and custom schedulers. */
  heartbeat(): void
  /** Stops accepting, asks clients to reconnect (close code 1012), and resolves when all is closed. */
  close(): Promise<void>
}

function secureContext(tls: RelayOptions['tls']): SecureContext | null {
  if (!tls) return null
  try {
    return createSecureContext({ cert: tls.cert, key: tls.key })
  } catch (err) {
    throw new RelayError(RelayFailure.TlsFailed, 'The TLS certificate or key cannot be used.', {
      details: (err as Error).message,
      cause: err,
    })
  }
}

/** Starts a relay and resolves once it listens. */
export async function createRelay(options: RelayOptions = {}): Promise<Relay> {
  const host = options.host ?? '127.0.0.1'
  const limits = resolveLimits(options.limits)
  const logger = options.logger ?? silentLogger
  const now = options.now ?? Date.now
  const tls = secureContext(options.tls)
  const addresses = createAddressPolicy(options.trustedProxies ?? [], limits.ipv6PrefixLength)
  const broker: Broker =
    options.broker ??
    (options.redis ? await createRedisBroker(options.redis, limits, now) : new MemoryBroker(limits, now()))
  const metrics = new Metrics()
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 5000
  const connections = new Set<Connection>()
  const subscriptions = new SubscriptionCounts()
  const context = { broker, limits, metrics, logger, now, subscriptions }
  /** Sockets refused at a connection limit, until they are closed. */
  const refused = new Set<WebSocket>()
  let closing: Promise<void> | null = null
  let nextConnectionId = 1

  const renderMetrics = () => metrics.render(broker.stats(), subscriptions.total, listener.pending)

  const wss = new WebSocketServer({
    noServer: true,
    // We track connections ourselves; ws's own Set would be a second entry per socket.
    clientTracking: false,
    maxPayload: limits.maxFrameBytes,
    // Off: connection.ts writes frames to the socket itself, which needs a Sender that never queues (wsFrames.ts).
    perMessageDeflate: false,
    // Reply mode 2 when the client offers it (§13.3.1); anything else: no subprotocol, mode 1.
    handleProtocols: (offered: Set<string>) => (offered.has(RELAY_PROTOCOL_V2) ? RELAY_PROTOCOL_V2 : false),
  })
  wss.on('error', (err) => logger('error', 'websocket server error', { error: err.name }))

  const listener = new Listener({
    host,
    port: options.port ?? 0,
    limits,
    addresses,
    proxyProtocol: options.proxyProtocol === true,
    tls,
    metrics,
    now,
    onUpgrade(req, socket: Duplex, head, client, overLimit) {
      if (closing) return void socket.destroy()
      wss.handleUpgrade(req, socket, head, (ws) => {
        listener.upgraded(socket)
        onConnection(ws, client, overLimit)
      })
    },
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
    metrics.connections = connections.size
  }

  function onConnection(ws: WebSocket, client: ClientSocket, overLimit: boolean): void {
    // Every socket gets an 'error' listener first: ws emits one for oversized or invalid frames,
    // and an unhandled one would crash the process.
    ws.on('error', onSocketError)
    if (broker.health?.() === 'degraded') {
      metrics.drop('storage_unavailable')
      sendUnavailable(ws)
      refuse(ws, RelayCloseCode.TryAgainLater, 'storage unavailable')
      return
    }
    if (overLimit) {
      metrics.limit('connections_per_ip')
      refuse(ws, RelayCloseCode.PolicyViolation, 'too many connections from this address')
      return
    }
    if (connections.size >= limits.maxConnections) {
      metrics.limit('connections')
      refuse(ws, RelayCloseCode.TryAgainLater, 'relay full')
      return
    }
    connections.add(new Connection(ws, client.key, nextConnectionId++, context, replyMode(ws.protocol) === 2))
    metrics.connections = connections.size
    metrics.connectionsTotal++
    ws.on('close', onSocketClose)
  }

  /**
   * Closes with `code`, but a refused socket is not left to ws's 30 s close timeout when the client
   * does not answer: terminated after 1 s, or by close().
   */
  function refuse(ws: WebSocket, code: number, reason: string): void {
    refused.add(ws)
    ws.once('close', () => refused.delete(ws))
    ws.close(code, reason)
    setTimeout(() => ws.terminate(), 1000).unref()
  }

  broker.watch?.(storageEvents(() => [...connections].map((c) => c.ws), metrics, logger))

  /** Pings every connection; terminates those that showed no sign of life since the last tick. */
  const beat = (): void => {
    for (const conn of connections) {
      if (!conn.alive) {
        metrics.drop('heartbeat_timeout')
        conn.ws.terminate()
        continue
      }
      conn.alive = false
      conn.ws.ping()
    }
  }
  const heartbeat = setInterval(beat, limits.heartbeatIntervalMs)
  heartbeat.unref()

  const sweep = async (): Promise<void> => {
    listener.expirePending(now())
    try {
      await broker.sweep(now())
    } catch (err) {
      logger('error', 'sweep failed', { error: (err as Error).name })
    }
  }
  const sweeper = setInterval(() => void sweep(), 1000)
  sweeper.unref()

  let ops: OpsServer | null = null
  let port: number
  try {
    port = await listener.listen()
    if (options.ops !== false) {
      const health = () =>
        closing
          ? { ok: false, text: 'shutting down' }
          : broker.health?.() === 'degraded'
            ? { ok: false, text: 'degraded: storage unavailable' }
            : { ok: true, text: 'ok' }
      ops = await startOps(options.ops?.host ?? '127.0.0.1', options.ops?.port ?? 0, health, renderMetrics)
    }
  } catch (err) {
    clearInterval(heartbeat)
    clearInterval(sweeper)
    await listener.close()
    throw err
  }
  const urlHost = host.includes(':') ? `[${host}]` : host
  logger('info', 'relay listening', { host, port })

  async function shutdown(): Promise<void> {
    clearInterval(heartbeat)
    clearInterval(sweeper)
    const stopped = listener.close()
    listener.destroyPending()
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
    await stopped
    await ops?.close()
    await broker.close()
    logger('info', 'relay stopped')
  }

  return {
    url: `${tls ? 'wss' : 'ws'}://${urlHost}:${port}`,
    host,
    port,
    opsUrl: ops?.url ?? null,
    limits,
    metrics: renderMetrics,
    sweep,
    heartbeat: beat,
    close() {
      closing ??= shutdown()
      return closing
    },
  }
}
