import { RedisBroker, type RedisMailboxLimits } from './broker.js'
import { connectRedis, type RedisTarget } from './connect.js'
import { checkPrefix, DEFAULT_PREFIX } from './keys.js'

export type RedisBrokerOptions = RedisTarget & {
  /** Prefix of every key and channel, so several relays (or test runs) can share a Redis. Default `pairline:`. */
  prefix?: string | undefined
  /** How long to wait for Redis at start before failing. Default 10_000 ms. */
  connectTimeoutMs?: number | undefined
}

export { RedisBroker } from './broker.js'

/**
 * A broker on Redis, ready: connected, its node channel subscribed and the epoch read. Rejects with
 * a message naming the target when Redis does not answer within `connectTimeoutMs`.
 */
export async function createRedisBroker(
  options: RedisBrokerOptions,
  limits: RedisMailboxLimits,
  now: () => number = Date.now,
): Promise<RedisBroker> {
  const prefix = checkPrefix(options.prefix ?? DEFAULT_PREFIX)
  const { cmd, sub } = connectRedis(options)
  const broker = new RedisBroker(cmd, sub, prefix, limits, now)
  const where = 'url' in options ? redactUrl(options.url) : `cluster ${options.cluster.join(',')}`
  const timeoutMs = options.connectTimeoutMs ?? 10_000
  let timer: NodeJS.Timeout | undefined
  try {
    await Promise.race([
      whenReady(broker, cmd, sub),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`Redis (${where}) did not answer within ${timeoutMs} ms`)),
          timeoutMs,
        )
      }),
    ])
  } catch (err) {
    await broker.close()
    throw err
  } finally {
    clearTimeout(timer)
  }
  return broker
}

/** Starts the broker once both connections are ready (ioredis keeps reconnecting until then). */
async function whenReady(
  broker: RedisBroker,
  ...clients: { status: string; once(e: string, f: () => void): unknown }[]
) {
  await Promise.all(
    clients.map((c) =>
      c.status === 'ready' ? undefined : new Promise<void>((r) => c.once('ready', () => r())),
    ),
  )
  await broker.start()
}

/** A Redis URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    if (u.password) u.password = '***'
    return u.toString()
  } catch {
    return 'an invalid URL'
  }
}
