/**
 * The wallet of the scale rows, alone in its process (so its memory is its own): the real SDK's
 * createWallet with a viem local account and memory storage, approving every pairing and every
 * request. One JSON command per stdin line, one JSON answer per stdout line:
 *   {"op":"pair","uri":...}  -> {"sessions": n} once approved
 *   {"op":"stats"}           -> memoryUsage() after a full GC (started with --expose-gc)
 *   {"op":"restore"}         -> close(), then a new createWallet on the same storage and
 *                               restoreSessions(): {"ms": wall time of the two, "sessions": n}
 */
import { createInterface } from 'node:readline'
import { memoryStorage } from '@pairline/sdk'
import { createWallet, type Wallet, type WalletSession } from '@pairline/sdk/wallet'
import { privateKeyToAccount } from 'viem/accounts'

const KEY = '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d' as const
const storage = memoryStorage()
const make = () =>
  createWallet({
    metadata: { name: 'bench wallet', url: 'https://wallet.example' },
    accounts: [privateKeyToAccount(KEY)],
    chains: [1],
    storage,
  })
const serve = (s: WalletSession) => s.on('request', (req) => void req.approve().catch(() => {}))

let wallet: Wallet = make()

async function run(cmd: { op: string; uri?: string }): Promise<unknown> {
  switch (cmd.op) {
    case 'pair': {
      const proposal = await wallet.pair(cmd.uri!)
      serve(await proposal.approve())
      return { sessions: wallet.sessions.length }
    }
    case 'stats': {
      const gc = (globalThis as { gc?: () => void }).gc
      gc?.()
      gc?.()
      const m = process.memoryUsage()
      return { rss: m.rss, heapUsed: m.heapUsed, external: m.external }
    }
    case 'restore': {
      await wallet.close()
      const t0 = performance.now()
      wallet = make()
      const sessions = await wallet.restoreSessions()
      const ms = performance.now() - t0
      for (const s of sessions) serve(s)
      return { ms, sessions: sessions.length }
    }
    default:
      throw new Error(`unknown op ${cmd.op}`)
  }
}

// One command at a time, in order.
let queue = Promise.resolve()
createInterface({ input: process.stdin })
  .on('line', (line) => {
    queue = queue.then(async () => {
      try {
        process.stdout.write(`${JSON.stringify(await run(JSON.parse(line)))}\n`)
      } catch (err) {
        process.stdout.write(`${JSON.stringify({ error: (err as Error).message })}\n`)
      }
    })
  })
  .on('close', () => void queue.then(() => wallet.close()).then(() => process.exit(0)))
process.stdout.write('{"ready":true}\n')
