import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { type RedisBrokerOptions, redactUrl } from './broker/redis/index.js'
import { RelayError, RelayFailure } from './errors.js'
import { DEFAULT_LIMITS, limitEnvName, limitFlagName, type RelayLimits } from './limits.js'
import { consoleLogger } from './log.js'
import { createRelay, type RelayOptions } from './relay.js'

const keys = Object.keys(DEFAULT_LIMITS) as (keyof RelayLimits)[]

const HELP = `pairline-relay: run a Pairline relay

Usage: pairline-relay [--host 127.0.0.1] [--port 8787] [--redis redis://… | --redis-cluster h:p,h:p] [options] [limits...]

  --host <addr>              interface to bind (default 127.0.0.1; 0.0.0.0 listens on all, deliberately)
                                                                              env PAIRLINE_RELAY_HOST
  --port <n>                 port (default 8787; 0 picks a free one)          env PAIRLINE_RELAY_PORT
  --ops-host <addr>          /healthz and /metrics listener (default 127.0.0.1) env PAIRLINE_RELAY_OPS_HOST
  --ops-port <n>             its port (default 8788; 0 picks a free one)      env PAIRLINE_RELAY_OPS_PORT
  --tls-cert <file>          PEM certificate chain: terminate TLS here (wss://) env PAIRLINE_RELAY_TLS_CERT
  --tls-key <file>           PEM private key for --tls-cert                   env PAIRLINE_RELAY_TLS_KEY
  --trusted-proxies <list>   comma-separated addresses/CIDRs whose X-Forwarded-For hops are believed
                                                                              env PAIRLINE_RELAY_TRUSTED_PROXIES
  --proxy-protocol           require a PROXY v1/v2 header on every connection (behind a TCP balancer only)
  --redis <url>              share mailboxes with other nodes on this Redis   env PAIRLINE_RELAY_REDIS
  --redis-cluster <h:p,h:p>  the same on a Redis Cluster (seed nodes)         env PAIRLINE_RELAY_REDIS_CLUSTER
  --redis-prefix <p>         prefix of every Redis key (default pairline:)    env PAIRLINE_RELAY_REDIS_PREFIX
  --help                     this text

Limits (flag, env variable, default):
${keys.map((k) => `  ${limitFlagName(k).padEnd(36)} ${limitEnvName(k).padEnd(52)} ${DEFAULT_LIMITS[k]}`).join('\n')}
`

function int(name: string, raw: string): number {
  // Digits only: Number() alone would read "" (an empty env variable) as 0, and accept " 5", "1e3", "0x10".
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(n)) {
    throw new RelayError(RelayFailure.InvalidOption, `${name} must be a non-negative integer, got "${raw}"`)
  }
  return n
}

function pem(flag: string, path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (err) {
    throw new RelayError(RelayFailure.TlsFailed, `${flag} cannot be read.`, {
      details: `${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`,
      cause: err,
    })
  }
}

/** Relay options from flags, then environment variables, then defaults. */
export function optionsFrom(argv: string[], env: NodeJS.ProcessEnv): (RelayOptions & { help?: true }) | null {
  const { values } = parseArgs({
    // `pnpm start -- --port 1` passes the `--` through.
    args: argv[0] === '--' ? argv.slice(1) : argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'ops-host': { type: 'string' },
      'ops-port': { type: 'string' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'trusted-proxies': { type: 'string' },
      'proxy-protocol': { type: 'boolean' },
      redis: { type: 'string' },
      'redis-cluster': { type: 'string' },
      'redis-prefix': { type: 'string' },
      help: { type: 'boolean' },
      ...Object.fromEntries(keys.map((k) => [limitFlagName(k).slice(2), { type: 'string' as const }])),
    },
    strict: true,
  })
  if (values.help) return null
  const value = (flag: string, envName: string): string | undefined =>
    ((values as Record<string, unknown>)[flag] as string | undefined) ?? env[envName]
  const limits: Partial<RelayLimits> = {}
  for (const k of keys) {
    const raw = value(limitFlagName(k).slice(2), limitEnvName(k))
    if (typeof raw === 'string') limits[k] = int(limitFlagName(k), raw)
  }
  const cert = value('tls-cert', 'PAIRLINE_RELAY_TLS_CERT')
  const key = value('tls-key', 'PAIRLINE_RELAY_TLS_KEY')
  if ((cert === undefined) !== (key === undefined)) {
    throw new RelayError(RelayFailure.InvalidOption, '--tls-cert and --tls-key go together.')
  }
  const proxies = value('trusted-proxies', 'PAIRLINE_RELAY_TRUSTED_PROXIES')
  const redis = redisOptions(values as Record<string, unknown>, env)
  return {
    host: value('host', 'PAIRLINE_RELAY_HOST') ?? '127.0.0.1',
    port: int('--port', value('port', 'PAIRLINE_RELAY_PORT') ?? '8787'),
    ops: {
      host: value('ops-host', 'PAIRLINE_RELAY_OPS_HOST') ?? '127.0.0.1',
      port: int('--ops-port', value('ops-port', 'PAIRLINE_RELAY_OPS_PORT') ?? '8788'),
    },
    limits,
    ...(cert !== undefined && key !== undefined
      ? { tls: { cert: pem('--tls-cert', cert), key: pem('--tls-key', key) } }
      : {}),
    ...(proxies ? { trustedProxies: proxies.split(',').filter((p) => p.trim() !== '') } : {}),
    proxyProtocol: values['proxy-protocol'] === true,
    ...(redis ? { redis } : {}),
  }
}

export async function main(argv = process.argv.slice(2), env = process.env): Promise<void> {
  const options = optionsFrom(argv, env)
  if (!options) {
    process.stdout.write(HELP)
    return
  }
  const relay = await createRelay({ ...options, logger: consoleLogger })
  process.stdout.write(`Pairline relay listening on ${relay.url}  (health: ${relay.opsUrl}/healthz)\n`)
  const redis = options.redis
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
  if (url && cluster)
    throw new RelayError(RelayFailure.InvalidOption, '--redis and --redis-cluster exclude each other')
  if (url) {
    if (!/^rediss?:\/\//.test(url))
      throw new RelayError(RelayFailure.InvalidOption, '--redis must be a redis:// or rediss:// URL')
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
