import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { type CrashStorage, crashStorage } from '@pairline/testkit/crash'
import { verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, type DappSession, memoryStorage, type Storage } from './index.js'
import { type DeviceKey, memoryDeviceKey } from './keys/device.js'
import { decodeRecord } from './records/record.js'
import { createWallet, type UnresolvedRequest, type WalletRequest } from './wallet/index.js'

/** Issue 10, the request half: each observation as a test that fails on the code before the fix. */

const account = privateKeyToAccount(ANVIL_KEYS[0])
const dappMeta = { name: 'Requests dApp', url: 'https://dapp.example' }
const walletMeta = { name: 'Requests Wallet', url: 'https://wallet.example' }
let relay: Relay
const cleanup: (() => Promise<unknown>)[] = []
/** Sides "killed" in a test: never closed (their writes never complete), only abandoned. */
const killed = new Set<unknown>()
beforeAll(async () => {
  relay = await createRelay({ port: 0 })
})
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
})
afterAll(() => relay.close())

/** `deviceKey`: a restarted side is the same installation, with the same device key (§8.3). */
type Opts = {
  storage?: Storage
  requestTtlSeconds?: number
  answerGraceSeconds?: number
  deviceKey?: Promise<DeviceKey>
}
type WalletOpts = { storage?: Storage; now?: () => number; deviceKey?: Promise<DeviceKey> }
function dappFor(o: Opts & { approvalTimeoutSeconds?: number } = {}) {
  const d = createDapp({ relayUrl: relay.url, metadata: dappMeta, chains: [31337], ...o })
  cleanup.push(async () => killed.has(d) || d.close())
  return d
}
function walletFor(o: WalletOpts = {}) {
  const w = createWallet({ metadata: walletMeta, accounts: [account], chains: [31337], ...o })
  cleanup.push(async () => killed.has(w) || w.close())
  return w
}
async function paired(o: { dapp?: Opts; wallet?: WalletOpts } = {}) {
  const dapp = dappFor(o.dapp)
  const wallet = walletFor(o.wallet)
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
  return { dapp, wallet, wsession, session }
}
const sign = (s: DappSession, text: string) =>
  s.provider.request({ method: 'personal_sign', params: [text, account.address] }) as Promise<`0x${string}`>
const outstanding = (record: Uint8Array) =>
  decodeRecord<{ requests?: unknown[] }>(record).json.requests?.length ?? 0
const next = <T>(on: (fn: (v: T) => void) => void) => new Promise<T>((r) => on(r))
/** A side "killed" in-process: its storage stops mid-write and its sockets close, nothing is said. */
async function kill(side: object, storage: CrashStorage, relays: Iterable<{ close(): Promise<void> }>) {
  killed.add(side)
  storage.freeze()
  for (const r of [...relays]) await r.close()
}

describe('issue 10: requests never lost, doubled or confused', () => {
  it('observation 1: a dApp reloaded mid-write never gets another request’s answer', async () => {
    const dappStorage = crashStorage(memoryStorage())
    const deviceKey = memoryDeviceKey()
    const { dapp, wsession } = await paired({ dapp: { storage: dappStorage, deviceKey } })
    wsession.on('request', (r) => void r.approve())
    // Request A's write never completes (the tab reloads during it): A must not have been sent.
    dappStorage.setFate((_n, _key, value) => (outstanding(value) > 0 ? 'freeze' : 'ok'))
    void sign(dapp.sessions[0]!, 'A: log in').catch(() => {})
    await kill(dapp, dappStorage, [dapp.relay])
    const reloaded = dappFor({ storage: dappStorage.inner, deviceKey })
    const [session] = await reloaded.restoreSessions()
    const signature = await sign(session!, 'B: approve 1000 USDC')
    expect(
      await verifyMessage({ address: account.address, message: 'B: approve 1000 USDC', signature }),
    ).toBe(true)
  })

  it('observation 2: a wallet restarted after executing, before saving the answer, never executes again', async () => {
    const walletStorage = crashStorage(memoryStorage())
    const deviceKey = memoryDeviceKey()
    const { wallet, session } = await paired({ wallet: { storage: walletStorage, deviceKey } })
    let signed = 0
    let signedNow = () => {}
    const wasSigned = new Promise<void>((r) => {
      signedNow = r
    })
    const shown: string[] = []
    const signing = account.signMessage
    account.signMessage = async (a) => {
      signed++
      walletStorage.freeze() // the app is killed right after signing, before the answer is written
      signedNow()
      return signing(a)
    }
    cleanup.push(async () => {
      account.signMessage = signing
    })
    wallet.sessions[0]!.on('request', (r) => {
      shown.push(r.id)
      void r.approve()
    })
    const answer = sign(session, 'once only')
    await wasSigned
    await kill(wallet, walletStorage, wallet.relays.values())
    account.signMessage = signing
    const again = walletFor({ storage: walletStorage.inner, deviceKey })
    const [restored] = await again.restoreSessions()
    restored!.on('request', (r) => shown.push(r.id))
    const unknown = next<UnresolvedRequest>((r) => restored!.once('outcomeUnknown', r))
    await expect(answer).rejects.toMatchObject({ code: 8001, pairlineCode: 'REQUEST_OUTCOME_UNKNOWN' })
    expect((await unknown).method).toBe('personal_sign')
    expect(signed).toBe(1)
    expect(shown).toHaveLength(1)
  })

  it('observation 3: an answer that comes after the dApp gave up is 8001 (unknown), then delivered, not 8000', async () => {
    // The wallet's clock runs 10 s behind: it still shows the request when the dApp has given up.
    const { session, wsession } = await paired({
      dapp: { requestTtlSeconds: 1, answerGraceSeconds: 0 },
      wallet: { now: () => Date.now() / 1000 - 10 },
    })
    const shown = next<WalletRequest>((r) => wsession.once('request', r))
    const caller = sign(session, 'late')
    await expect(caller).rejects.toMatchObject({
      code: 8001,
      pairlineCode: 'REQUEST_OUTCOME_UNKNOWN',
      shortMessage:
        'The wallet did not answer before the request expired. It may or may not have been carried out.',
    })
    const late = next<{ id: string; result?: unknown }>((r) => session.once('response', r))
    const request = await shown
    expect(await request.approve()).toMatchObject({ status: 'executed' })
    const response = await late
    expect(response.id).toBe(request.id)
    expect(
      await verifyMessage({ address: account.address, message: 'late', signature: response.result as never }),
    ).toBe(true)
  })

  it('observation 7: an oversized request fails at once with a clear error and changes nothing', async () => {
    const dappStorage = crashStorage(memoryStorage())
    const { session, wsession } = await paired({ dapp: { storage: dappStorage } })
    wsession.on('request', (r) => void r.approve())
    const huge = `0x${'ab'.repeat(60_000)}`
    await expect(sign(session, huge)).rejects.toMatchObject({
      code: -32602,
      pairlineCode: 'PAYLOAD_TOO_LARGE',
      shortMessage: 'The request is too large to send.',
    })
    const [key] = await dappStorage.keys('pairline/dapp/')
    const { json } = decodeRecord<{ requests: unknown[]; channel: { unacked: { body: { t: string } }[] } }>(
      (await dappStorage.get(key!))!,
    )
    expect(json.requests).toEqual([]) // nothing recorded, nothing queued
    expect(json.channel.unacked.filter((u) => u.body.t === 'req')).toEqual([])
    // Nothing is stuck behind it: the next request goes through and is acknowledged.
    const signature = await sign(session, 'small')
    expect(await verifyMessage({ address: account.address, message: 'small', signature })).toBe(true)
  })

  it('observation 8: the answered ids are pruned by the dApp’s cumulative ack', async () => {
    const walletStorage = memoryStorage()
    const { wallet, wsession, session } = await paired({ wallet: { storage: walletStorage } })
    wsession.on('request', (r) => void r.approve())
    for (const text of ['1', '2', '3', '4', '5']) await sign(session, text)
    await session.provider.request({ method: 'eth_accounts' })
    await wallet.close()
    const [key] = await walletStorage.keys('pairline/wallet/')
    const { json } = decodeRecord<{ answered: unknown[]; requests: unknown[] }>(
      (await walletStorage.get(key!))!,
    )
    expect(json.requests).toEqual([])
    expect(json.answered.length).toBeLessThanOrEqual(1) // at most the last, its ack maybe in flight
  })
})

type Written = {
  requests?: { id?: string; req?: { id: string }; state?: string }[]
  answered?: [string, number][]
  channel: { unacked: { body: { id?: string } }[] }
}
/** Memory storage that keeps every record written, decoded, in order. */
function journaled(): { storage: Storage; written: Written[] } {
  const inner = memoryStorage()
  const written: Written[] = []
  return {
    written,
    storage: {
      get: (k) => inner.get(k),
      keys: (p) => inner.keys(p),
      delete: (k) => inner.delete(k),
      set: (k, v) => {
        written.push(decodeRecord<Written>(v).json)
        return inner.set(k, v)
      },
    },
  }
}
/** What a written record holds of request `id`: where it is (`requests` state, `answered`, `unacked`). */
function holds(w: Written, id: string): string[] {
  const r = w.requests?.find((x) => (x.req?.id ?? x.id) === id)
  return [
    ...(r ? [`request:${r.state ?? 'outstanding'}`] : []),
    ...(w.answered?.some(([a]) => a === id) ? ['answered'] : []),
    ...(w.channel.unacked.some((u) => u.body.id === id) ? ['unacked'] : []),
  ]
}

describe('issue 16: sealed writes per request (§14.5, which write covers what)', () => {
  it('a personal_sign is two writes on the dApp and three on the wallet; an ack alone is not written', async () => {
    const d = journaled()
    const w = journaled()
    const { session, wsession } = await paired({
      dapp: { storage: d.storage },
      wallet: { storage: w.storage },
    })
    const ids: string[] = []
    wsession.on('request', (r) => {
      ids.push(r.id)
      void r.approve()
    })
    await sign(session, 'first') // what pairing left queued is written by now (writes run in order)
    const [d0, w0] = [d.written.length, w.written.length]
    await sign(session, 'second')
    await sign(session, 'third') // its receipt carries the ack of the second's answer
    const [, second, third] = ids as [string, string, string]
    // dApp: the request with its message; the answer's receipt, dropping both; then the next request.
    const dapp = d.written.slice(d0).map((x) => [holds(x, second), holds(x, third)])
    expect(dapp.slice(0, 3)).toEqual([
      [['request:outstanding', 'unacked'], []],
      [[], []],
      [[], ['request:outstanding', 'unacked']],
    ])
    // Wallet: received (pending, before it is shown); executing (before the account signs); the
    // answer (before it is sent); the next request's receipt then holds the ack of that answer.
    const wallet = w.written.slice(w0).map((x) => [holds(x, second), holds(x, third)])
    expect(wallet.slice(0, 4)).toEqual([
      [['request:pending'], []],
      [['request:executing'], []],
      [['answered', 'unacked'], []],
      [[], ['request:pending']],
    ])
  })
})
