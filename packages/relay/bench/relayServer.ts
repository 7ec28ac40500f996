/**
 * The real relay as a benchmark child (see child.ts), with limits raised so that nothing the
 * benchmark does is throttled or refused: the bench measures routing cost, not policy.
 */
import { createRelay, type RedisBrokerOptions } from '../src/index.js'
import { type ChildServer, isMain, serveAsChild } from './child.js'

const MANY = 1_000_000_000
/** BENCH_MAX_CONNECTIONS: more sockets for the scale rows (packages/bench/src/scale.ts). */
const CONNECTIONS = Number.parseInt(process.env.BENCH_MAX_CONNECTIONS ?? '20000', 10)

export async function startBenchRelay(port = 0, redis?: RedisBrokerOptions): Promise<ChildServer> {
  const relay = await createRelay({
    port,
    ...(redis ? { redis } : {}),
    shutdownTimeoutMs: 1000,
    limits: {
      publishRate: MANY,
      publishBurst: MANY,
      frameRate: MANY,
      frameBurst: MANY,
      maxConnectionsPerIp: CONNECTIONS,
      maxConnections: CONNECTIONS,
      // a wallet holding 100 sessions subscribes one topic each on its one connection (default 64)
      maxTopicsPerConnection: 10_000,
      maxMessagesPerTopic: 100_000,
      maxBytesPerTopic: 256 * 1024 * 1024,
      maxTotalMessages: 10_000_000,
      maxTotalBytes: 2 * 1024 * 1024 * 1024,
      // every bench client is on 127.0.0.1: the per-address quotas and the pending-upgrade bound
      // would be the bench's own limits, not the relay's cost
      maxStoredMessagesPerConnection: MANY,
      maxStoredBytesPerConnection: MANY,
      maxStoredMessagesPerIp: MANY,
      maxStoredBytesPerIp: MANY,
      maxTopicsPerIp: MANY,
      maxSubscriptions: MANY,
      maxPendingUpgrades: CONNECTIONS,
    },
  })
  return { url: relay.url, close: () => relay.close() }
}

// BENCH_REDIS_URL (bench/cluster.ts): a node on that Redis, keys under BENCH_REDIS_PREFIX.
const redisUrl = process.env.BENCH_REDIS_URL
const redis = redisUrl ? { url: redisUrl, prefix: process.env.BENCH_REDIS_PREFIX ?? 'pl-bench:' } : undefined
if (isMain(import.meta.url)) await serveAsChild(() => startBenchRelay(0, redis))
