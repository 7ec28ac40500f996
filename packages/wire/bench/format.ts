/**
 * Why the relay wire is binary (docs/PROTOCOL.md §13.1): encode + decode of one PUBLISH and its
 * MESSAGE delivery, binary codec versus the JSON + base64url equivalent, same process, same run.
 * Run: pnpm --filter @pairline/wire bench
 */
import { decodeClientFrame, decodeRelayFrame, encodeMessage, encodePublish } from '../src/codec.js'

const topic = new Uint8Array(32).fill(7)
const id = new Uint8Array(16).fill(9)

function binary(payload: Uint8Array): number {
  const f = encodePublish(1, topic, id, 300, payload)
  const d = decodeClientFrame(f)
  if (d?.op !== 3) throw new Error('decode')
  const m = encodeMessage(d.topic, d.id, d.payload)
  const r = decodeRelayFrame(m)
  return f.length + m.length + (r ? 0 : 1)
}

function json(payload: Uint8Array): number {
  const b64 = (x: Uint8Array) => Buffer.from(x).toString('base64url')
  const f = JSON.stringify({
    op: 'pub',
    rid: 1,
    topic: b64(topic),
    id: b64(id),
    ttl: 300,
    payload: b64(payload),
  })
  const d = JSON.parse(f)
  const p = Buffer.from(d.payload, 'base64url')
  const m = JSON.stringify({ op: 'msg', topic: d.topic, id: d.id, payload: p.toString('base64url') })
  const r = JSON.parse(m)
  const back = Buffer.from(r.payload, 'base64url')
  return Buffer.byteLength(f) + Buffer.byteLength(m) + (back.length === payload.length ? 0 : 1)
}

function measure(
  fn: (p: Uint8Array) => number,
  payload: Uint8Array,
  ms = 400,
): { opsPerSec: number; bytes: number } {
  let bytes = 0
  for (let i = 0; i < 2000; i++) bytes = fn(payload)
  let n = 0
  const start = process.hrtime.bigint()
  const end = start + BigInt(ms) * 1_000_000n
  while (process.hrtime.bigint() < end) {
    for (let i = 0; i < 200; i++) fn(payload)
    n += 200
  }
  const secs = Number(process.hrtime.bigint() - start) / 1e9
  return { opsPerSec: n / secs, bytes }
}

const rows: string[] = [
  '| payload | binary ops/s | JSON ops/s | binary/JSON speed | wire bytes binary | wire bytes JSON |',
  '| --- | --- | --- | --- | --- | --- |',
]
for (const size of [128, 1024, 8192, 57376]) {
  const payload = new Uint8Array(size).map((_, i) => i * 31)
  const b = measure(binary, payload)
  const j = measure(json, payload)
  rows.push(
    `| ${size} B | ${b.opsPerSec.toFixed(0)} | ${j.opsPerSec.toFixed(0)} | ${(b.opsPerSec / j.opsPerSec).toFixed(1)}x | ${b.bytes} | ${j.bytes} |`,
  )
}
console.log(rows.join('\n'))
