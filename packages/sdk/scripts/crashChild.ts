/**
 * One side of the crash harness (packages/sdk/src/crash.test.ts) as a real process: a dApp or a
 * wallet on file storage, that SIGKILLs itself at a named point of a request's life
 * (PAIRLINE_CRASH_AT=<point>), chosen by the harness, never by timing. Restarted with
 * CRASH_MODE=restore on the same storage, it restores its session and reports what it learns.
 * Prints one JSON object per line.
 */
import { join } from 'node:path'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { crashStorage, type WriteFate } from '@pairline/testkit/crash'
import { http, type Transport } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { createDapp } from '../src/index.js'
import { decodeRecord } from '../src/records/record.js'
import { fileDeviceKey, fileStorage, nodeSealedStorage } from '../src/storage/file.js'
import { createWallet } from '../src/wallet/index.js'

const env = process.env
const at = env.PAIRLINE_CRASH_AT ?? ''
const restore = env.CRASH_MODE === 'restore'
const say = (o: object) => process.stdout.write(`${JSON.stringify(o)}\n`)
const die = (point: string) => {
  if (at === point) process.kill(process.pid, 'SIGKILL')
}
/** A restarted process killed during its resume: it only resumes (its successor approves). */
const resumeKill = at.startsWith('resume-')

type Rec = {
  requests?: { tx?: unknown }[]
  answered?: unknown[]
  channel?: { resume?: { attempt: number; gen: number } }
}
/** What each write holds, to name the write a point is at (`attempt`, `gen`: as stored at start). */
type Seen = { req: boolean; answered: boolean; tx: boolean; attempt: number; gen: number }
function writePoint(value: Uint8Array, seen: Seen): string[] {
  const json = decodeRecord<Rec>(value).json
  const requests = json.requests?.length ?? 0
  const answered = json.answered?.length ?? 0
  const points: string[] = []
  if (requests > 0 && !seen.req) points.push('first-request')
  if (requests === 0 && seen.req) points.push('request-gone')
  if (json.requests?.some((r) => r.tx) && !seen.tx) points.push('tx')
  if (answered === 0 && seen.answered) points.push('answered-gone')
  const resume = json.channel?.resume
  if (resume && resume.attempt > seen.attempt) points.push('resume-attempt')
  if (resume && resume.gen > seen.gen) points.push('resume-adopted')
  seen.req ||= requests > 0
  seen.tx ||= !!json.requests?.some((r) => r.tx)
  seen.answered ||= answered > 0
  return points
}

/** The storage, with the write-time kill points of this role. */
async function storage(role: 'dapp' | 'wallet') {
  const dir = env.CRASH_DIR as string
  const sealed = await nodeSealedStorage(fileStorage({ directory: join(dir, 'records') }), {
    kind: 'key-file',
    path: join(dir, 'key'),
  })
  const [key] = await sealed.keys(`pairline/${role}/`)
  const stored = key ? await sealed.get(key) : undefined
  const resume = stored ? decodeRecord<Rec>(stored).json.channel?.resume : undefined
  const seen: Seen = {
    ...{ req: false, answered: false, tx: false },
    ...{ attempt: resume?.attempt ?? 0, gen: resume?.gen ?? 0 },
  }
  // point name -> [write it is at, before or after the write]
  const named: Record<string, [string, WriteFate]> = {
    'dapp:request': ['first-request', 'kill'],
    'dapp:save': ['first-request', 'kill-after'],
    // the answer's receipt: the caller is told as it arrives, the request leaves the record in it
    'dapp:receive': ['request-gone', 'kill'], // begun, the caller's code not yet run
    'dapp:told': ['request-gone', 'freeze'], // never completes; killed once the caller is told
    'dapp:answered': ['request-gone', 'ok'], // completes; killed once the caller is told too
    'wallet:receive': ['first-request', 'kill'],
    'wallet:signed': ['tx', 'kill'],
    'wallet:respond': ['request-gone', 'kill'],
    'wallet:sent': ['request-gone', 'kill-after'],
    'wallet:ack': ['answered-gone', 'kill'],
    // a restarted process: before the write of its resume attempt, after the write of the new generation
    'dapp:resume-attempt': ['resume-attempt', 'kill'],
    'dapp:resume-adopted': ['resume-adopted', 'kill-after'],
    'wallet:resume-attempt': ['resume-attempt', 'kill'],
    'wallet:resume-adopted': ['resume-adopted', 'kill-after'],
  }
  const mine = named[`${role}:${at}`]
  let marked: Uint8Array | null = null
  const inner = crashStorage(sealed, (_n, key, value) => {
    if (!mine || !key.startsWith(`pairline/${role}/`)) return 'ok'
    if (!writePoint(value, seen).includes(mine[0])) return 'ok'
    marked = value
    return mine[1]
  })
  // dapp:answered: the write at the point completed (and the caller told: `dieWhenTold`)
  return {
    ...inner,
    set: async (key: string, value: Uint8Array) => {
      await inner.set(key, value)
      if (value === marked) answeredWritten()
    },
  }
}

/** dapp:told / dapp:answered: killed once the caller was told (and, for answered, the write done). */
let told = false
let written = at !== 'answered'
const dieIfBoth = () => {
  if (told && written) die(at)
}
const answeredWritten = () => {
  written = true
  dieIfBoth()
}
const dieWhenTold = () => {
  told = true
  if (at === 'told' || at === 'answered') dieIfBoth()
}

async function dapp() {
  const d = createDapp({
    relayUrl: env.RELAY_URL as string,
    metadata: { name: 'Crash dApp', url: 'https://dapp.example' },
    chains: [31337],
    storage: await storage('dapp'),
    deviceKey: fileDeviceKey(join(env.CRASH_DIR as string, 'device-key')), // survives the restart
  })
  if (restore) {
    const [session] = await d.restoreSessions()
    session?.on('response', (r) => say({ ev: 'response', ...r }))
    say({ ev: 'restored', sessions: session ? 1 : 0 })
    return
  }
  const pairing = await d.pair()
  say({ ev: 'uri', uri: pairing.uri })
  await pairing.sas // the harness's user sees the same code on both screens
  const session = await pairing.confirm()
  say({ ev: 'paired' })
  const tx = { from: session.accounts[0], to: env.CRASH_TO, value: env.CRASH_VALUE }
  session.provider
    .request({ method: 'eth_sendTransaction', params: [tx] })
    .then(
      (result) => say({ ev: 'caller', result }),
      (e: { code: number; pairlineCode?: string }) => say({ ev: 'caller', error: { code: e.code } }),
    )
    .then(dieWhenTold)
}

async function wallet() {
  const account = privateKeyToAccount(ANVIL_KEYS[0])
  const signing = account.signTransaction
  account.signTransaction = (async (...a: Parameters<typeof signing>) => {
    die('execute')
    return signing(...a)
  }) as typeof signing
  const inner = http(env.RPC_URL)
  const transport: Transport = (o) => {
    const t = inner(o)
    const request = (async (args: { method: string }) => {
      const out = await t.request(args as never)
      if (args.method === 'eth_sendRawTransaction') die('broadcast')
      return out
    }) as typeof t.request
    return { ...t, request }
  }
  const w = createWallet({
    metadata: { name: 'Crash Wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [31337],
    transports: { 31337: transport },
    storage: await storage('wallet'),
    deviceKey: fileDeviceKey(join(env.CRASH_DIR as string, 'device-key')), // survives the restart
  })
  const handle = (s: Awaited<ReturnType<typeof w.restoreSessions>>[number]) => {
    s.on('request', async (req) => {
      say({ ev: 'shown', id: req.id })
      die('show')
      if (resumeKill) return
      say({ ev: 'outcome', ...(await req.approve()) })
    })
    s.on('outcomeUnknown', (r) => say({ ev: 'unknown', id: r.id }))
  }
  if (restore) {
    const sessions = await w.restoreSessions()
    for (const s of sessions) handle(s)
    say({ ev: 'restored', sessions: sessions.length })
    return
  }
  const proposal = await w.pair(env.CRASH_URI as string)
  handle(await proposal.approve())
  say({ ev: 'paired' })
}

process.on('unhandledRejection', (e) => {
  say({ ev: 'unhandled', error: String(e) })
  process.exit(3)
})
await (env.CRASH_ROLE === 'wallet' ? wallet() : dapp())
