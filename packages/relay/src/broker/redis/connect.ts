import { Cluster, Redis, type RedisOptions } from 'ioredis'
import { ACK, EPOCH, PRUNE_EXPIRED, PUBLISH, READ } from './scripts.js'

/** Where the mailbox lives: one Redis (`redis://…`, `rediss://…`) or a Redis Cluster (seed nodes). */
export type RedisTarget = { url: string } | { cluster: readonly string[] }

type ScriptCommands = {
  plPublish(...args: (string | Buffer | number)[]): Promise<[number, number, number]>
  plReadBuffer(...args: (string | number)[]): Promise<Buffer[]>
  plAck(...args: (string | Buffer)[]): Promise<string | null>
  plPrune(...args: (string | number)[]): Promise<number>
  plEpoch(...args: string[]): Promise<string>
}
export type Commands = (Redis | Cluster) & ScriptCommands

/**
 * Fail fast instead of queueing: a command that cannot be sent now, or whose connection dropped
 * before it was answered, is rejected at once. The relay then tells its clients, which send again
 * with the same id (stored once); a silent resend after a reconnect would answer them too late.
 */
const FAIL_FAST: RedisOptions = {
  enableOfflineQueue: false,
  maxRetriesPerRequest: 0,
  autoResendUnfulfilledCommands: false,
  // Reconnect for ever, backing off to 2 s: the relay stays up and reports `degraded` meanwhile.
  retryStrategy: (times) => Math.min(50 * 2 ** times, 2000),
}

function seed(node: string): { host: string; port: number } {
  const i = node.lastIndexOf(':')
  const port = Number(node.slice(i + 1))
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`A Redis Cluster node is host:port (got ${JSON.stringify(node)}).`)
  }
  return { host: node.slice(0, i).replace(/^\[(.*)\]$/, '$1'), port }
}

function define(client: Redis | Cluster): Commands {
  client.defineCommand('plPublish', { numberOfKeys: 3, lua: PUBLISH })
  client.defineCommand('plRead', { numberOfKeys: 3, lua: READ })
  client.defineCommand('plAck', { numberOfKeys: 3, lua: ACK })
  client.defineCommand('plPrune', { numberOfKeys: 3, lua: PRUNE_EXPIRED })
  client.defineCommand('plEpoch', { numberOfKeys: 1, lua: EPOCH })
  return client as Commands
}

/**
 * Two clients: one for commands (auto-pipelined: commands issued in one tick share one write) and
 * one in subscriber mode. On a Cluster both route by slot; the subscriber keeps one connection per
 * master for sharded pub/sub (ioredis `shardedSubscribers`).
 */
export function connectRedis(target: RedisTarget): { cmd: Commands; sub: Redis | Cluster } {
  if ('url' in target) {
    const options = { ...FAIL_FAST, enableAutoPipelining: true, lazyConnect: false }
    const cmd = new Redis(target.url, options)
    const sub = new Redis(target.url, { ...FAIL_FAST, enableOfflineQueue: true })
    return { cmd: define(cmd), sub }
  }
  if (target.cluster.length === 0) throw new RangeError('A Redis Cluster needs at least one seed node.')
  const nodes = target.cluster.map(seed)
  const clusterOptions = {
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    clusterRetryStrategy: (times: number) => Math.min(100 * 2 ** times, 2000),
    redisOptions: FAIL_FAST,
  }
  const cmd = new Cluster(nodes, clusterOptions)
  const sub = new Cluster(nodes, { ...clusterOptions, shardedSubscribers: true, enableOfflineQueue: true })
  return { cmd: define(cmd), sub }
}

/**
 * One hash tag per slot range of the Cluster (one for a single Redis), so that an epoch key lives on
 * every master: a master that restarts empty loses its own epoch key, and the nodes notice.
 */
export async function epochTags(cmd: Commands): Promise<string[]> {
  if (!(cmd instanceof Cluster)) return ['epoch']
  const ranges = (await cmd.cluster('SLOTS')) as [number, number, ...unknown[]][]
  const tags: string[] = []
  for (const [start, end] of ranges) {
    for (let i = 0; ; i++) {
      const tag = `epoch.${i}`
      const slot = (await cmd.cluster('KEYSLOT', tag)) as number
      if (slot >= start && slot <= end) {
        tags.push(tag)
        break
      }
    }
  }
  return tags
}
