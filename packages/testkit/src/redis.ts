/**
 * Test helpers for real Redis: the shared server (REDIS_URL, default 127.0.0.1:6379) with a key
 * prefix per run, and redis-server processes of our own (to kill, restart, or form a Cluster).
 * Never used by the relay itself.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { Redis } from 'ioredis'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
const START_HINT =
  'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no ' +
  '(or set REDIS_URL); .ci/run does this itself'

/** A fresh key prefix, so runs sharing a Redis never see each other's keys. */
export function uniquePrefix(): string {
  return `pl-test:${randomBytes(4).toString('hex')}:`
}

/** Throws (never skips) when the shared Redis is not there, saying how to start it. */
export async function requireRedis(url = REDIS_URL): Promise<void> {
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
  r.on('error', () => {})
  try {
    await r.connect()
    await r.ping()
  } catch (err) {
    throw new Error(`Redis is not reachable at ${url} (${(err as Error).message}); ${START_HINT}`)
  } finally {
    r.disconnect()
  }
}

/** Deletes this run's keys, and only them (never FLUSHALL on a shared server). */
export async function deletePrefix(prefix: string, url = REDIS_URL): Promise<void> {
  const r = new Redis(url, { maxRetriesPerRequest: 1 })
  r.on('error', () => {})
  try {
    let cursor = '0'
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await r.del(...keys)
    } while (cursor !== '0')
  } finally {
    r.disconnect()
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number }
      s.close(() => resolve(port))
    })
  })
}

export type RedisServer = {
  readonly port: number
  readonly url: string
  readonly dir: string
  /** SIGKILL: no save, no goodbye. */
  kill(): Promise<void>
  /** Starts it again on the same port and directory (with its data if it persisted any). */
  start(): Promise<void>
  /** Stops it and removes its directory. */
  stop(): Promise<void>
}

/** Resolves once redis-server logs that it accepts connections; rejects if it exits first. */
function launch(args: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    const onData = (d: Buffer) => {
      out += d.toString()
      if (/Ready to accept connections/.test(out)) {
        child.stdout?.off('data', onData)
        child.stdout?.resume()
        resolve(child)
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.resume()
    child.once('error', (err) =>
      reject(
        new Error(
          `could not start redis-server (${err.message}): install Debian's redis-server (.ci/run does) for the Redis restart and Cluster tests`,
        ),
      ),
    )
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out.slice(-500)}`)))
  })
}

function exited(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => child.once('exit', () => resolve()))
}

/**
 * A redis-server of our own on a free loopback port. `persist`: AOF with fsync on every write (what
 * docs/OPERATORS.md asks for), else nothing on disk. `extra` args, e.g. cluster mode.
 */
export async function startRedisServer(
  options: { persist?: boolean; extra?: string[]; dir?: string } = {},
): Promise<RedisServer> {
  const port = await freePort()
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'pl-redis-')))
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    ...(options.persist ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
    ...(options.extra ?? []),
  ]
  let child: ChildProcess | null = await launch(args)
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    dir,
    async kill() {
      const c = child
      child = null
      c?.kill('SIGKILL')
      await exited(c)
    },
    async start() {
      child = await launch(args)
    },
    async stop() {
      const c = child
      child = null
      c?.kill('SIGKILL')
      await exited(c)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

const exec = promisify(execFile)

/** A Redis Cluster of `masters` redis-server processes (no replicas), formed with redis-cli. */
export async function startRedisCluster(
  masters = 3,
): Promise<{ nodes: RedisServer[]; seeds: string[]; stop(): Promise<void> }> {
  const nodes: RedisServer[] = []
  const stop = () => Promise.all(nodes.map((n) => n.stop())).then(() => {})
  try {
    for (let i = 0; i < masters; i++) {
      const dir = await mkdtemp(join(tmpdir(), 'pl-cluster-'))
      // The bus port is port + 10000 unless given: above 55535 that is no port at all, and below it
      // it may be taken ("Address already in use"). Give each node a bus port that was free too.
      const extra = [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, 'nodes.conf'),
        '--cluster-port',
        String(await freePort()),
      ]
      nodes.push(await startRedisServer({ extra, dir }))
    }
    const seeds = nodes.map((n) => `127.0.0.1:${n.port}`)
    await exec('redis-cli', ['--cluster', 'create', ...seeds, '--cluster-replicas', '0', '--cluster-yes'])
    // `create` returns once slots are assigned; wait until every node agrees the cluster is up.
    for (const n of nodes) await waitClusterOk(n.port)
    return { nodes, seeds, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Waits for cluster_state:ok, asking every 50 ms (a condition to wait for, not a time bound). */
async function waitClusterOk(port: number): Promise<void> {
  const r = new Redis(port, '127.0.0.1')
  try {
    for (;;) {
      const info = await r.cluster('INFO')
      if (/cluster_state:ok/.test(String(info))) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  } finally {
    r.disconnect()
  }
}
