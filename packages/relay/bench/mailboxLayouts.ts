/**
 * `node --import tsx packages/relay/bench/mailboxLayouts.ts`: the Redis mailbox layouts considered
 * for the Redis broker, on a redis-server of its own, each as Lua doing what the broker needs
 * (dedup by id, publish order, per-message expiry, remove by id on ack):
 *   zset+hash  (chosen) sorted set id -> seq, hash id -> expiry ‖ frame, hash of counters
 *   stream     XADD (order from the stream), hash id -> stream id for dedup and ack, counters
 *   list       RPUSH of ids, hash id -> expiry ‖ frame, LREM on ack
 * It reports Redis CPU (INFO CPU) per publish+ack and memory per stored message (INFO used_memory),
 * medians of 3 runs after a warm-up.
 * Env: LAYOUT_TOPICS (1000), LAYOUT_PER_TOPIC (16), LAYOUT_PAYLOAD (1024).
 */
import { randomBytes } from 'node:crypto'
import { startRedisServer } from '@pairline/testkit/redis'
import { Redis } from 'ioredis'
import { ACK, PUBLISH } from '../src/broker/redis/scripts.js'

const TOPICS = Number(process.env.LAYOUT_TOPICS ?? 1000)
const PER_TOPIC = Number(process.env.LAYOUT_PER_TOPIC ?? 16)
const PAYLOAD = Number(process.env.LAYOUT_PAYLOAD ?? 1024)

const STREAM_PUBLISH = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local n = redis.call('XLEN', KEYS[1])
local b = tonumber(redis.call('HGET', KEYS[3], 'b') or '0')
if n >= tonumber(ARGV[5]) or b + #ARGV[3] > tonumber(ARGV[6]) then return -1 end
local sid = redis.call('XADD', KEYS[1], '*', 'i', ARGV[1], 'h', ARGV[2], 'f', ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], sid)
redis.call('HINCRBY', KEYS[3], 'b', #ARGV[3])
for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], ARGV[8], 'NX'); redis.call('PEXPIREAT', KEYS[i], ARGV[8], 'GT') end
redis.call('SPUBLISH', ARGV[7], ARGV[3])
return 1`
const STREAM_ACK = `
local sid = redis.call('HGET', KEYS[2], ARGV[1])
if not sid then return false end
local e = redis.call('XRANGE', KEYS[1], sid, sid)
redis.call('XDEL', KEYS[1], sid)
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'b', -#e[1][2][6])
return 1`
const LIST_PUBLISH = `
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 0 end
local n = redis.call('LLEN', KEYS[1])
local b = tonumber(redis.call('HGET', KEYS[3], 'b') or '0')
if n >= tonumber(ARGV[5]) or b + #ARGV[3] > tonumber(ARGV[6]) then return -1 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. ARGV[3])
redis.call('HINCRBY', KEYS[3], 'b', #ARGV[3])
for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], ARGV[8], 'NX'); redis.call('PEXPIREAT', KEYS[i], ARGV[8], 'GT') end
redis.call('SPUBLISH', ARGV[7], ARGV[3])
return 1`
const LIST_ACK = `
local r = redis.call('HGET', KEYS[2], ARGV[1])
if not r then return false end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('LREM', KEYS[1], 1, ARGV[1])
redis.call('HINCRBY', KEYS[3], 'b', -#r)
return 1`

const LAYOUTS = [
  { name: 'zset+hash (chosen)', publish: PUBLISH, ack: ACK },
  { name: 'stream+hash', publish: STREAM_PUBLISH, ack: STREAM_ACK },
  { name: 'list+hash', publish: LIST_PUBLISH, ack: LIST_ACK },
]

async function info(r: Redis): Promise<{ cpu: number; memory: number }> {
  const text = `${await r.info('cpu')}\n${await r.info('memory')}`
  const f = (k: string) => Number(new RegExp(`^${k}:([\\d.]+)`, 'm').exec(text)?.[1] ?? 0)
  return { cpu: f('used_cpu_user') + f('used_cpu_sys'), memory: f('used_memory') }
}

async function run(r: Redis, layout: (typeof LAYOUTS)[number]) {
  const ids = Array.from({ length: TOPICS }, () => Array.from({ length: PER_TOPIC }, () => randomBytes(16)))
  const keys = (t: number) => [`L{${t}}:q`, `L{${t}}:m`, `L{${t}}:s`]
  const frame = Buffer.concat([Buffer.alloc(49, 1), randomBytes(PAYLOAD)])
  const exp = Date.now() + 3_600_000
  const header = `${exp}abcdefabcdef`
  const [pub, ack] = (await Promise.all(
    [layout.publish, layout.ack].map((l) => r.script('LOAD', l)),
  )) as string[]
  const before = await info(r)
  // Interleaved across topics (as traffic is), in batches pipelined by ioredis.
  for (let i = 0; i < PER_TOPIC; i++) {
    await Promise.all(
      ids.map((list, t) =>
        r.evalsha(pub!, 3, ...keys(t), list[i]!, header, frame, Date.now(), 1e6, 1e12, `L{${t}}:c`, exp),
      ),
    )
  }
  const stored = await info(r)
  for (let i = 0; i < PER_TOPIC; i++) {
    await Promise.all(ids.map((list, t) => r.evalsha(ack!, 3, ...keys(t), list[i]!)))
  }
  const after = await info(r)
  const n = TOPICS * PER_TOPIC
  await r.flushall() // our own server: nothing else lives there
  return {
    cpuPerMessage: ((after.cpu - before.cpu) * 1e6) / n,
    bytesPerMessage: (stored.memory - before.memory) / n,
  }
}

const server = await startRedisServer()
const r = new Redis(server.url)
try {
  process.stdout.write(
    `${TOPICS} topics x ${PER_TOPIC} messages of ${PAYLOAD} B, all published then all acked\n\n` +
      '| layout | Redis CPU per publish+ack | Redis memory per stored message |\n| --- | ---: | ---: |\n',
  )
  for (const layout of LAYOUTS) {
    await run(r, layout) // warm-up: script cache, allocator
    const runs = [await run(r, layout), await run(r, layout), await run(r, layout)]
    const med = (k: 'cpuPerMessage' | 'bytesPerMessage') => runs.map((x) => x[k]).sort((a, b) => a - b)[1]!
    const m = { cpuPerMessage: med('cpuPerMessage'), bytesPerMessage: med('bytesPerMessage') }
    process.stdout.write(
      `| ${layout.name} | ${m.cpuPerMessage.toFixed(1)} µs | ${m.bytesPerMessage.toFixed(0)} B (payload ${PAYLOAD}) |\n`,
    )
  }
} finally {
  r.disconnect()
  await server.stop()
}
