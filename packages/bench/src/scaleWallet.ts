/**
 * Scale, wallet side: one real wallet (walletChild.ts, its own process) holding BENCH_SCALE_WALLET
 * (100) sessions with real dApps (createDapp, each its own relay connection, in this process) through
 * the real relay in a child. Each figure with 100 sessions is set beside the same wallet holding one
 * session, measured earlier in the same run (it cannot alternate: the sessions accumulate).
 */
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { createDapp, type Dapp, type DappSession } from '@pairline/sdk'
import { Child } from '../../relay/bench/run.js'
import { median } from './measure.js'

const ROOT = new URL('../../..', import.meta.url).pathname
export const WALLET_SESSIONS = Number.parseInt(process.env.BENCH_SCALE_WALLET ?? '100', 10)
const RT_SAMPLES = 40

type WalletStats = { rss: number; heapUsed: number; external: number }
export type WalletPoint = { stats: WalletStats; restoreMs: number; roundTripMs: number }

function walletChild() {
  const proc = spawn(
    process.execPath,
    [
      '--conditions=@pairline/source',
      '--import',
      'tsx',
      '--expose-gc',
      new URL('./walletChild.ts', import.meta.url).pathname,
    ],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
  )
  const waiting: ((v: Record<string, unknown>) => void)[] = []
  let ready: () => void = () => {}
  const started = new Promise<void>((r) => {
    ready = r
  })
  createInterface({ input: proc.stdout! }).on('line', (line) => {
    const msg = JSON.parse(line) as Record<string, unknown>
    if (msg.ready) return ready()
    waiting.shift()?.(msg)
  })
  const call = <T>(cmd: Record<string, unknown>): Promise<T> =>
    new Promise((resolve, reject) => {
      waiting.push((msg) => (msg.error ? reject(new Error(`wallet child: ${msg.error}`)) : resolve(msg as T)))
      proc.stdin!.write(`${JSON.stringify(cmd)}\n`)
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      proc.stdin!.end()
    })
  return { started, call, stop }
}

async function pairOne(
  dapp: Dapp,
  wallet: ReturnType<typeof walletChild>,
  nth: number,
): Promise<DappSession> {
  const pairing = await dapp.pair()
  const answered = wallet.call<{ sessions: number }>({ op: 'pair', uri: pairing.uri })
  // the wallet may fail before the dApp sees an answer: then that failure, not a hang
  const failed = answered.then(
    () => new Promise<never>(() => {}),
    (err: Error) => {
      // (the dApp is closed in measureWallet's finally)
      throw new Error(`the wallet's pairing ${nth} failed: ${err.message}`)
    },
  )
  await Promise.race([pairing.sas, failed])
  const [session] = await Promise.race([Promise.all([pairing.confirm(), answered]), failed])
  return session
}

async function roundTripP50(session: DappSession): Promise<number> {
  const address = session.accounts[0]!
  const ms: number[] = []
  for (let i = 0; i < RT_SAMPLES + 5; i++) {
    const t0 = performance.now()
    await session.provider.request({ method: 'personal_sign', params: ['0x68656c6c6f', address] })
    if (i >= 5) ms.push(performance.now() - t0)
  }
  return median(ms)
}

/** The wallet with one session, then with WALLET_SESSIONS. */
export async function measureWallet(
  count = WALLET_SESSIONS,
): Promise<{ one: WalletPoint; many: WalletPoint; sessions: number }> {
  const relay = new Child('relay', 'wallet-scale')
  const wallet = walletChild()
  await Promise.all([relay.ready(), wallet.started])
  const dapps: Dapp[] = []
  try {
    const point = async (session: DappSession): Promise<WalletPoint> => {
      const roundTripMs = await roundTripP50(session)
      const stats = await wallet.call<WalletStats>({ op: 'stats' })
      const restored = await wallet.call<{ ms: number; sessions: number }>({ op: 'restore' })
      if (restored.sessions !== dapps.length)
        throw new Error(`wallet restored ${restored.sessions} sessions of ${dapps.length}`)
      return { stats, restoreMs: restored.ms, roundTripMs }
    }
    const sessions: DappSession[] = []
    const add = async () => {
      const dapp = createDapp({
        relayUrl: relay.url,
        metadata: { name: 'bench', url: 'https://bench.example' },
        chains: [1],
      })
      dapps.push(dapp)
      sessions.push(await pairOne(dapp, wallet, dapps.length))
    }
    await add()
    const one = await point(sessions[0]!)
    while (dapps.length < count) await add()
    // the round trip after a restore: on the first session, whose dApp has waited longest
    const many = await point(sessions[0]!)
    return { one, many, sessions: dapps.length }
  } finally {
    await Promise.all(dapps.map((d) => d.close()))
    await wallet.stop()
    await relay.stop()
  }
}
