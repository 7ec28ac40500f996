import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import { createPublicClient, http, verifyMessage } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, memoryStorage } from './index.js'
import { decodeRecord } from './records/record.js'
import { fileStorage, nodeSealedStorage } from './storage/file.js'
import { createWallet, type WalletSession } from './wallet/index.js'

/**
 * Issue 10's crash harness: a real dApp or a real wallet in a child process (node + tsx, real relay,
 * anvil), SIGKILLed at every named step of an eth_sendTransaction's life, then restarted on the
 * same storage. The other side runs here. Every kill point is chosen by name (the child kills
 * itself at a storage write, a signature, a broadcast, a shown request), never by timing, and the
 * harness waits on what the processes print and on their exits, never on a clock. A child that
 * exits without printing what is awaited fails the test with its output.
 */

const ROOT = resolve(import.meta.dirname, '../../..')
const CHILD = 'packages/sdk/scripts/crashChild.ts'
const account = privateKeyToAccount(ANVIL_KEYS[0])
const VALUE = 1_000_000_000_000n
/** Vitest's hang guard per kill point (a hang is a bug; this only ends the run). Not a speed claim. */
const HANG_GUARD_MS = 300_000

const POINTS = [
  ['dapp', 'request'], // before the write holding the request completes
  ['dapp', 'save'], // that write done, not yet sent
  ['dapp', 'send'], // sent (the wallet is showing it)
  ['dapp', 'receive'], // the answer arrived, the write of its receipt (dropping the request) begun
  ['dapp', 'told'], // the app told (as the answer arrived), that write never completes
  ['dapp', 'answered'], // that write done, the app told
  ['wallet', 'receive'], // before the write recording the request completes
  ['wallet', 'show'], // shown, not approved
  ['wallet', 'execute'], // marked executing, the account about to sign
  ['wallet', 'signed'], // signed, before the write of its hash completes
  ['wallet', 'broadcast'], // broadcast, before the answer is written
  ['wallet', 'respond'], // before the write holding the answer completes
  ['wallet', 'sent'], // the answer written, being sent
  // the dApp acknowledged the answer, before that is written: an ack alone is not written, so in
  // the next write, the receipt of the dApp's next request (a personal_sign)
  ['wallet', 'ack'],
  // Killed again while resuming, after a restart (the first life ended at dapp:save / wallet:show):
  ['dapp', 'resume-attempt'], // before the write of its resume attempt number (message 1 unsent)
  ['dapp', 'resume-adopted'], // the new generation written, nothing sent under it yet
  ['wallet', 'resume-attempt'],
  ['wallet', 'resume-adopted'],
] as const

/** Where the first life of a process ends before a resume kill point. */
const before = (role: 'dapp' | 'wallet', point: string) =>
  point.startsWith('resume-') ? (role === 'dapp' ? 'save' : 'show') : point

/** A resume kill point: the restarted process dies at it, and a third one goes on. */
async function dieResuming(base: Record<string, string>, role: string, point: string): Promise<void> {
  if (!point.startsWith('resume-')) return
  const mid = child({ ...base, CRASH_MODE: 'restore', PAIRLINE_CRASH_AT: point })
  expect(await mid.exited, `${role}:${point}: killed while resuming: ${mid.output()}`).toBe('SIGKILL')
}

type Line = { ev: string; [k: string]: unknown }
type Child = {
  next(ev: string): Promise<Line>
  exited: Promise<NodeJS.Signals | number | null>
  whileAlive<T>(p: Promise<T>, what: string): Promise<T>
  /** What the child printed so far (for failure messages). */
  output(): string
  proc: ChildProcess
}
const children = new Set<ChildProcess>()

function child(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ['--conditions=@pairline/source', '--import', 'tsx', CHILD], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(proc)
  const lines: Line[] = []
  const waiting: { ev: string; resolve: (l: Line) => void; reject: (e: Error) => void }[] = []
  let buffer = ''
  let stderr = ''
  let gone = false
  const output = () => `${JSON.stringify(lines)} ${stderr.slice(-1500)}`
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => {
    stderr += d
  })
  proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
    buffer += d
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = JSON.parse(buffer.slice(0, i)) as Line
      buffer = buffer.slice(i + 1)
      lines.push(line)
      for (const w of waiting.filter((x) => x.ev === line.ev)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve(line)
      }
    }
  })
  // 'close' comes after the exit and the end of stdout: every line the child printed is read.
  const exited = new Promise<NodeJS.Signals | number | null>((r) =>
    proc.once('close', (code, signal) => {
      children.delete(proc)
      gone = true
      for (const w of waiting.splice(0))
        w.reject(new Error(`child exited (${signal ?? code}) before printing ${w.ev}: ${output()}`))
      r(signal ?? code)
    }),
  )
  const next = (ev: string) =>
    new Promise<Line>((resolve, reject) => {
      const seen = lines.find((l) => l.ev === ev)
      if (seen) return resolve(seen)
      if (gone) return reject(new Error(`child exited before printing ${ev}: ${output()}`))
      waiting.push({ ev, resolve, reject })
    })
  /** `p`, or a failure with the child's output if the child ends first. */
  const whileAlive = <T>(p: Promise<T>, what: string) =>
    Promise.race([
      p,
      exited.then((how) => {
        throw new Error(`child exited (${how}) before ${what}: ${output()}`)
      }),
    ])
  return { next, exited, whileAlive, output, proc }
}

let relay: Relay
let chain: Anvil
beforeAll(async () => {
  ;[relay, chain] = await Promise.all([createRelay({ port: 0 }), startAnvil({ chainId: 31337 })])
})
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL')
  await Promise.all([relay?.close(), chain?.stop()])
})

type Outcome = 'executed' | 'unknown' | 'not-sent' | 'rejected' | 'expired'
type Answer = { result?: unknown; error?: { code: number } }

describe('crash harness (issue 10)', () => {
  const counts: Record<string, number> = {}
  const rows: string[] = []
  const only = process.env.CRASH_ONLY
  const points = POINTS.filter(([role, point]) => !only || only === `${role}:${point}`)
  it.each(points)(
    'killed at %s:%s: executed at most once, never another request’s result, an outcome the contract names',
    async (role, point) => {
      const { outcome, executions } = await run(role, point)
      counts[outcome] = (counts[outcome] ?? 0) + 1
      rows.push(`${role}:${point} -> ${outcome} (executions ${executions})`)
    },
    HANG_GUARD_MS,
  )
  it('prints how many kill points were exercised and the outcome counts', () => {
    console.log(
      `crash harness: ${rows.length} of ${POINTS.length} kill points exercised; outcomes: ${Object.entries(
        counts,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')}\n  ${rows.join('\n  ')}`,
    )
    expect(rows).toHaveLength(points.length)
  })
})

/** One kill point: the request's life until the child dies, the restart, and the checks. */
async function run(
  role: 'dapp' | 'wallet',
  point: string,
): Promise<{ outcome: Outcome; executions: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'pairline-crash-'))
  const to = privateKeyToAccount(generatePrivateKey()).address
  const base = {
    RELAY_URL: relay.url,
    RPC_URL: chain.rpcUrl,
    CRASH_DIR: dir,
    CRASH_TO: to,
    CRASH_VALUE: `0x${VALUE.toString(16)}`,
    CRASH_ROLE: role,
  }
  const nonceBefore = await nonce()
  try {
    const answer = role === 'dapp' ? await dappChild(base, point, dir) : await walletChild(base, point)
    const executions = (await nonce()) - nonceBefore
    expect(executions, `${role}:${point}: executed at most once`).toBeLessThanOrEqual(1)
    const outcome = await classify(answer, to, `${role}:${point}`)
    if (outcome === 'executed') expect(executions, `${role}:${point}`).toBe(1)
    if (outcome === 'not-sent') expect(executions, `${role}:${point}`).toBe(0)
    return { outcome, executions }
  } finally {
    await rm(dir, { recursive: true, force: true, maxRetries: 5 }).catch(() => {})
  }
}

/** The dApp in a child, the wallet here (it approves everything). */
async function dappChild(base: Record<string, string>, point: string, dir: string): Promise<Answer | null> {
  const wallet = createWallet({
    metadata: { name: 'Harness Wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [31337],
    transports: { 31337: http(chain.rpcUrl) },
    storage: memoryStorage(),
  })
  try {
    const first = child({ ...base, CRASH_MODE: 'fresh', PAIRLINE_CRASH_AT: before('dapp', point) })
    const { uri } = await first.next('uri')
    const wsession: WalletSession = await (await wallet.pair(uri as string)).approve()
    wsession.on('request', (req) => {
      if (point === 'send') first.proc.kill('SIGKILL') // sent and received: the dApp dies now
      void req.approve()
    })
    expect(await first.exited, `dapp:${point}: killed at its point: ${first.output()}`).toBe('SIGKILL')
    if ((await outstanding(dir)) === 0) {
      // Nothing outstanding: never written (never sent), or answered, told and written (dapp:answered)
      return (await first.next('caller').catch(() => null)) as Answer | null
    }
    await dieResuming(base, 'dapp', point)
    const again = child({ ...base, CRASH_MODE: 'restore' })
    const response = await again.next('response')
    again.proc.kill('SIGKILL')
    await again.exited
    return response as Answer
  } finally {
    await wallet.close()
  }
}

/** The wallet in a child, the dApp here (its caller waits across the wallet's restart). */
async function walletChild(base: Record<string, string>, point: string): Promise<Answer> {
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: { name: 'Harness dApp', url: 'https://dapp.example' },
    chains: [31337],
    storage: memoryStorage(),
  })
  try {
    const pairing = await dapp.pair()
    const first = child({
      ...base,
      CRASH_MODE: 'fresh',
      PAIRLINE_CRASH_AT: before('wallet', point),
      CRASH_URI: pairing.uri,
    })
    await pairing.sas
    const session = await pairing.confirm() // the codes match: this side's user confirms
    const tx = { from: account.address, to: base.CRASH_TO, value: base.CRASH_VALUE }
    const caller: Promise<Answer> = session.provider
      .request({ method: 'eth_sendTransaction', params: [tx] })
      .then(
        (result) => ({ result }),
        (e: { code: number }) => ({ error: { code: e.code } }),
      )
    // wallet:ack: the write after the ack is the next request's receipt
    const after =
      point === 'ack'
        ? first
            .whileAlive(caller, 'the dApp got its answer')
            .then(() =>
              session.provider.request({ method: 'personal_sign', params: ['0x6e657874', account.address] }),
            )
        : null
    after?.catch(() => {}) // awaited below
    expect(await first.exited, `wallet:${point}: killed at its point: ${first.output()}`).toBe('SIGKILL')
    const again = child({ ...base, CRASH_MODE: 'restore' })
    expect((await again.next('restored')).sessions, `wallet:${point}: the session was stored`).toBe(1)
    const answer = await again.whileAlive(caller, 'the dApp got its answer')
    if (after) {
      const signature = (await again.whileAlive(after, 'the next request was answered')) as `0x${string}`
      expect(await verifyMessage({ address: account.address, message: 'next', signature })).toBe(true)
    }
    again.proc.kill('SIGKILL')
    await again.exited
    return answer
  } finally {
    await dapp.close()
  }
}

/** The contract's outcomes (§14.5); a result must be this request's transaction. */
async function classify(a: Answer | null, to: string, where: string): Promise<Outcome> {
  if (a === null) return 'not-sent'
  if (a.error) {
    const named: Record<number, Outcome> = { 8001: 'unknown', 4001: 'rejected', 8000: 'expired' }
    expect(
      named[a.error.code],
      `${where}: error ${a.error.code} is an outcome the contract names`,
    ).toBeDefined()
    return named[a.error.code] as Outcome
  }
  const tx = await publicClient().getTransaction({ hash: a.result as `0x${string}` })
  expect({ to: tx.to?.toLowerCase(), value: tx.value }, `${where}: the result is this request's`).toEqual({
    to: to.toLowerCase(),
    value: VALUE,
  })
  return 'executed'
}

const publicClient = () => createPublicClient({ transport: http(chain.rpcUrl) })
const nonce = () => publicClient().getTransactionCount({ address: account.address })

/** Requests the dApp's stored record still holds (read as a restarted dApp would). */
async function outstanding(dir: string): Promise<number> {
  const storage = await nodeSealedStorage(fileStorage({ directory: join(dir, 'records') }), {
    kind: 'key-file',
    path: join(dir, 'key'),
  })
  const [key] = await storage.keys('pairline/dapp/')
  const bytes = key ? await storage.get(key) : undefined
  return bytes ? (decodeRecord<{ requests?: unknown[] }>(bytes).json.requests?.length ?? 0) : 0
}
