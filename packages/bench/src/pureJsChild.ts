/**
 * The pure-JS rows' process: started with `--conditions=pairline-pure-js`, so the SDK's
 * `#primitives` is noble here, as in a browser (PROTOCOL §4.1). One JSON command per stdin line,
 * one JSON answer per stdout line ({"us": CPU µs per operation of this process}); the first line
 * says which library runs ({"library": ...}):
 *   {"op":"frameKib"}               a 1 KiB frame sealed and opened (FrameSender/FrameReceiver)
 *   {"op":"seal64"}                 a 64-byte frame sealed
 *   {"op":"nobleKib"}               bare noble ChaCha20-Poly1305, 1 KiB sealed and opened (the floor,
 *                                   measured here so that ours and the floor share one process)
 *   {"op":"nobleSeal64"}            bare noble, 64 bytes sealed
 *   {"op":"nobleSealPadded64"}      bare noble, the 258 padded bytes of a 64-byte frame sealed
 *   {"op":"core"}                   the protocol's pairing alone, both sides (pairingCore.ts)
 *   {"op":"pairing","relayUrl":u}   a full pairing between a dApp and a wallet that exist
 */
import { createInterface } from 'node:readline'
import { chacha20poly1305 } from '@noble/ciphers/chacha'
import { FrameReceiver, FrameSender } from '@pairline/sdk/protocol'
import { library } from '../../sdk/src/protocol/noise/library.js'
import { cpuPerAsyncOp, cpuPerOp } from './measure.js'
import { type Apps, apps, pairOnce } from './pairingApps.js'
import { protocolPairing } from './pairingCore.js'

const NOW = 1_800_000_000
const random = (n: number) => crypto.getRandomValues(new Uint8Array(n))

export function framePair() {
  const key = random(32)
  return { tx: new FrameSender({ key: key.slice(), nowSeconds: NOW }), rx: new FrameReceiver({ key }) }
}

const kib = random(1024)
const small = random(64)
/** The padded plaintext of a 64-byte frame: 2-byte length prefix + the 256-byte floor (§7.3). */
const padded64 = new Uint8Array(2 + 256)
const bareKey = random(32)
const nonce = new Uint8Array(12)
const ad = new Uint8Array(12)
let pair = framePair()
const sealOnly = framePair().tx
let existing: Apps | undefined

async function run(cmd: { op: string; relayUrl?: string; n?: number }): Promise<number> {
  const n = cmd.n ?? 1
  switch (cmd.op) {
    case 'frameKib':
      return cpuPerOp(() => {
        if (pair.tx.counter > 1e6) pair = framePair()
        return pair.rx.open(pair.tx.seal(kib, NOW), NOW)
      }, n)
    case 'seal64':
      return cpuPerOp(() => sealOnly.seal(small, NOW), n)
    case 'nobleKib':
      return cpuPerOp(() => {
        const ct = chacha20poly1305(bareKey, nonce, ad).encrypt(kib)
        chacha20poly1305(bareKey, nonce, ad).decrypt(ct)
      }, n)
    case 'nobleSeal64':
      return cpuPerOp(() => chacha20poly1305(bareKey, nonce, ad).encrypt(small), n)
    case 'nobleSealPadded64':
      return cpuPerOp(() => chacha20poly1305(bareKey, nonce, ad).encrypt(padded64), n)
    case 'core':
      return cpuPerOp(protocolPairing, n)
    case 'pairing': {
      if (!existing) {
        existing = apps(cmd.relayUrl!)
        await pairOnce(existing)
      }
      const a = existing
      return cpuPerAsyncOp(() => pairOnce(a), n, 2)
    }
    case 'close':
      await Promise.all([existing?.dapp.close(), existing?.wallet.close()])
      existing = undefined
      return 0
    default:
      throw new Error(`unknown op ${cmd.op}`)
  }
}

const say = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`)
say({ library })
const lines = createInterface({ input: process.stdin })
// One command at a time: the parent waits for each answer.
let queue = Promise.resolve()
lines.on('line', (line) => {
  queue = queue.then(async () => {
    try {
      say({ us: await run(JSON.parse(line) as { op: string }) })
    } catch (err) {
      say({ error: String(err) })
    }
  })
})
lines.on('close', () => {
  void queue.then(() => process.exit(0))
})
