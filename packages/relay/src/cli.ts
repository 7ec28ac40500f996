import { parseArgs } from 'node:util'
import { type RedisBrokerOptions, redactUrl } from './broker/redis/index.js'
import { DEFAULT_LIMITS, limitEnvName, limitFlagName, type RelayLimits } from './limits.js'
import { consoleLogger } from './log.js'
import { createRelay } from './relay.js'

const keys = Object.keys(DEFAULT_LIMITS) as (keyof RelayLimits)[]

const HELP = `pairline-relay: run a Pairline relay

Usage: pairline-relay [--host 127.0.0.1] [--port 8787] [--redis redis://… | --redis-cluster h:p,h:p] [limits...]

  --host <addr>         interface to bind (default 127.0.0.1; use 0.0.0.0 to listen on all, deliberately)
  --port <n>            port (default 8787; 0 picks a free one)   env PAIRLINE_RELAY_PORT
  --trust-proxy         take client addresses from X-Forwarded-For (only behind your own proxy)
  --redis <url>         share mailboxes with other nodes on this Redis   env PAIRLINE_RELAY_REDIS
  --redis-cluster <h:p,h:p>  the same on a Redis Cluster (seed nodes)   env PAIRLINE_RELAY_REDIS_CLUSTER
  --redis-prefix <p>    prefix of every Redis key (default pairline:)   env PAIRLINE_RELAY_REDIS_PREFIX
  --help                this text

Limits (flag, env variable, default):
${keys.map((k) => `  ${limitFlagName(k).padEnd(28)} ${limitEnvName(k).padEnd(46)} ${DEFAULT_LIMITS[k]}`).join('\n')}
`

function int(name: string, raw: string): number {
  // Digits only: Number() alone would read "" (an empty env variable) as 0, and accept " 5", "1e3", "0x10".
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be a non-negative integer, got "${raw}"`)
  return n
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const { values } = parseArgs({
    // `pnpm start -- --port 1` passes the `--` through.
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'trust-proxy': { type: 'boolean' },
      redis: { type: 'string' },
      'redis-cluster': { type: 'string' },
      'redis-prefix': { type: 'string' },
      help: { type: 'boolean' },
      ...Object.fromEntries(keys.map((k) => [limitFlagName(k).slice(2), { type: 'string' as const }])),
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(HELP)
    return
  }
  const limits: Partial<RelayLimits> = {}
  for (const k of keys) {
    const flag = limitFlagName(k)
    const raw = (values as Record<string, unknown>)[flag.slice(2)] ?? env[limitEnvName(k)]
    if (typeof raw === 'string') limits[k] = int(flag, raw)
  }
  const host = (values.host as string | undefined) ?? env.PAIRLINE_RELAY_HOST ?? '127.0.0.1'
  const portRaw = (values.port as string | undefined) ?? env.PAIRLINE_RELAY_PORT ?? '8787'
  const redis = redisOptions(values as Record<string, unknown>, env)
  const relay = await createRelay({
    host,
    port: int('--port', portRaw),
    limits,
    logger: consoleLogger,
    trustProxy: values['trust-proxy'] === true,
    ...(redis ? { redis } : {}),
  })
  process.stdout.write(
    `Pairline relay listening on ${relay.url}  (health: http://${relay.url.slice(5)}/healthz)\n`,
  )
  if (redis) {
    const where = 'url' in redis ? redactUrl(redis.url) : `cluster ${redis.cluster.join(',')}`
    process.stdout.write(`Mailboxes in Redis (${where}), shared with every node on it\n`)
  }
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    consoleLogger('info', 'shutting down', { signal })
    // Exit within a bound even if a client hangs: close() itself terminates after 5 s.
    setTimeout(() => process.exit(1), 10_000).unref()
    relay.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
}

function redisOptions(
  values: Record<string, unknown>,
  env: NodeJS.ProcessEnv,
): RedisBrokerOptions | undefined {
  const url = (values.redis as string | undefined) ?? env.PAIRLINE_RELAY_REDIS
  const cluster = (values['redis-cluster'] as string | undefined) ?? env.PAIRLINE_RELAY_REDIS_CLUSTER
  const prefix = (values['redis-prefix'] as string | undefined) ?? env.PAIRLINE_RELAY_REDIS_PREFIX
  if (url && cluster) throw new Error('--redis and --redis-cluster exclude each other')
  if (url) {
    if (!/^rediss?:\/\//.test(url)) throw new Error('--redis must be a redis:// or rediss:// URL')
    return { url, prefix }
  }
  if (cluster)
    return {
      cluster: cluster
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean),
      prefix,
    }
  return undefined
}
