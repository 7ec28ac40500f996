/**
 * What one junk message costs a receiver, by how early it is dropped (`pnpm fuzz:junk`). A
 * benchmark, not a test: it prints microseconds per junk message next to a floor (a bare copy of
 * the same bytes) measured in the same run. Run it niced; numbers go in the note.
 */
import {
  createDappHandshake,
  FrameReceiver,
  FrameSender,
  MAX_FRAME_PLAINTEXT,
  parsePairingUri,
} from '../packages/sdk/src/protocol/index.js'
import { hex, vectors } from './targets/shared.js'

const NOW = vectors.pairing.nowSeconds as number
const key = hex(vectors.handshake.w2dKey)

function perOp(label: string, n: number, fn: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 200); i++) fn(i) // warm up
  const t0 = performance.now()
  for (let i = 0; i < n; i++) fn(i)
  const us = ((performance.now() - t0) * 1000) / n
  console.log(`${label.padEnd(58)} ${us.toFixed(2).padStart(9)} us`)
  return us
}

function frameJunk(): void {
  const sender = new FrameSender({ key, nowSeconds: NOW })
  const big = sender.seal(new Uint8Array(MAX_FRAME_PLAINTEXT), NOW)
  const small = sender.seal(new Uint8Array(100), NOW)
  const rx = new FrameReceiver({ key })
  const tamper = (f: Uint8Array, extra = 0) => {
    const out = new Uint8Array(f.length + extra)
    out.set(f)
    out[out.length - 1]! ^= 1
    return out
  }
  const withEpoch = (f: Uint8Array, epoch: number) => {
    const out = tamper(f)
    new DataView(out.buffer).setUint32(2, epoch)
    return out
  }
  const floor = perOp('floor: copy a 57,376-byte frame', 2000, () => void big.slice())
  const rows: [string, number, Uint8Array][] = [
    ['junk 57,376 B, bucket length, epoch ok (full AEAD)', 2000, tamper(big)],
    ['junk 57,375 B, non-bucket length', 2000, tamper(big.subarray(0, big.length - 1))],
    [`junk ${small.length} B, bucket length (AEAD)`, 20000, tamper(small)],
    [`junk ${small.length + 1} B, non-bucket length`, 20000, tamper(small, 1)],
    ['junk 57,376 B, epoch +8 (8 Rekey() then AEAD)', 2000, withEpoch(big, 8)],
    ['junk 57,376 B, epoch +9 (rejected by epoch)', 20000, withEpoch(big, 9)],
  ]
  for (const [label, n, junk] of rows) {
    const us = perOp(label, n, () => {
      try {
        rx.open(junk, NOW)
      } catch {}
    })
    console.log(`${''.padEnd(58)} ${(us / floor).toFixed(1).padStart(9)} x floor`)
  }
}

function helloJunk(): void {
  const uri = parsePairingUri(vectors.pairing.uri)
  const dapp = createDappHandshake({
    uri,
    staticPrivateKey: hex(vectors.pairing.dappStaticPrivate),
    randomBytes: () => hex(vectors.handshake.dappEphemeralPrivate),
  })
  const m1 = hex(vectors.handshake.message1Hex)
  const bad = m1.slice()
  bad[bad.length - 1]! ^= 1
  const longer = new Uint8Array(m1.length + 1)
  longer.set(m1)
  const badKey = m1.slice()
  badKey.fill(0, 2, 34)
  for (const [label, junk] of [
    ['junk message 1, bucket length (DH + AEAD)', bad],
    ['junk message 1, non-bucket length', longer],
    ['junk message 1, low-order e', badKey],
  ] as const) {
    perOp(label, 300, () => {
      try {
        dapp.readHello(junk, NOW)
      } catch {}
    })
  }
}

frameJunk()
helloJunk()
