import { createRelay, type Relay } from '@pairline/relay'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { Channel } from './channel/channel.js'
import type { PairlineError } from './errors/base.js'
import {
  createDapp,
  type Dapp,
  type DappSession,
  memoryDeviceKey,
  memoryStorage,
  type Storage,
} from './index.js'
import { createWallet, type WalletSession } from './wallet/index.js'

const ACCOUNT = privateKeyToAccount('0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d')
const meta = { name: 'Real dApp', url: 'https://dapp.example' }

let relay: Relay
const closers: (() => Promise<void>)[] = []
beforeEach(async () => {
  relay = await createRelay({ port: 0 })
})
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  await relay.close()
})

/** A storage whose writes can be awaited: resolves once a dApp record has been written. */
function watched(inner: Storage): { storage: Storage; written: () => Promise<void> } {
  let wake: () => void = () => {}
  return {
    storage: {
      ...inner,
      get: (k) => inner.get(k),
      keys: (p) => inner.keys(p),
      delete: (k) => inner.delete(k),
      set: async (k, v) => {
        await inner.set(k, v)
        if (k.startsWith('pairline/dapp/')) wake()
      },
    },
    written: () =>
      new Promise<void>((resolve) => {
        wake = resolve
      }),
  }
}

/** Everything stored, copied into a fresh storage: what an XSS or a stolen backup takes away. */
async function copyOf(s: Storage): Promise<Storage> {
  const out = memoryStorage()
  for (const k of await s.keys('')) await out.set(k, (await s.get(k)) as Uint8Array)
  return out
}

async function dappWith(
  storage: Storage,
  deviceKey?: Awaited<ReturnType<typeof memoryDeviceKey>>,
): Promise<Dapp> {
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: meta,
    chains: [1],
    storage,
    resumeRetryMs: 50,
    ...(deviceKey ? { deviceKey } : {}),
  })
  closers.push(() => dapp.close())
  return dapp
}

async function paired() {
  const device = await memoryDeviceKey()
  const disk = watched(memoryStorage())
  const dapp = await dappWith(disk.storage, device)
  const wallet = createWallet({
    metadata: { name: 'W', url: 'https://w.example' },
    accounts: [ACCOUNT],
    chains: [1],
  })
  closers.push(() => wallet.close())
  const written = disk.written()
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  const [wsession] = await Promise.all([proposal.approve(), pairing.confirm()])
  await written
  return { device, storage: disk.storage, dapp, wallet, wsession }
}

const once = <T = unknown>(s: unknown, e: string) =>
  new Promise<T>((resolve) => (s as { once(e: string, f: (v: T) => void): void }).once(e, resolve))

describe('observation 5: a copied record (docs/PROTOCOL.md §8.3, §8.4)', () => {
  it('silent takeover from a copied record (obs. 5): without the device key it cannot resume', async () => {
    const { storage } = await paired()
    const thief = await dappWith(await copyOf(storage)) // another installation: another device key
    await expect(thief.restoreSessions()).rejects.toMatchObject({
      code: 'DEVICE_KEY_MISMATCH',
      shortMessage: 'This stored session belongs to another device key.',
      details: expect.stringContaining('in Node, pass deviceKey: fileDeviceKey(path)'),
    })
  })

  it('silent takeover from a copied record (obs. 5): with the device key too, both real parties learn SESSION_TAKEN_OVER', async () => {
    const { device, storage, dapp, wsession } = await paired()
    const stolen = await copyOf(storage)
    await dapp.close() // the real dApp's tab is closed; its record stays

    // The thief resumes with the wallet and is served: that much a full clone can do (§12).
    const thief = await dappWith(stolen, device)
    const [thiefSession] = (await thief.restoreSessions()) as DappSession[]
    const shown = once<{ method: string; reject(): Promise<void> }>(wsession, 'request')
    const answer = thiefSession?.provider.request({
      method: 'personal_sign',
      params: ['0x01', ACCOUNT.address],
    })
    const req = await shown
    expect(req.method).toBe('personal_sign')
    await req.reject()
    await expect(answer).rejects.toMatchObject({ code: 4001 })

    // The real dApp comes back: its resume on the superseded generation is answered "superseded".
    const walletError = once<PairlineError>(wsession as WalletSession, 'error')
    const walletGone = once(wsession as WalletSession, 'disconnect')
    const thiefError = once<PairlineError>(thiefSession as DappSession, 'error')
    const real = await dappWith(storage, device)
    const [realSession] = (await real.restoreSessions()) as DappSession[]
    const realError = await once<PairlineError>(realSession as DappSession, 'error')
    expect(realError).toMatchObject({
      code: 'SESSION_TAKEN_OVER',
      shortMessage: 'This session was taken over by another device.',
    })
    expect(await walletError).toMatchObject({ code: 'SESSION_TAKEN_OVER' })
    await walletGone
    expect(await thiefError).toMatchObject({ code: 'SESSION_TAKEN_OVER' })
    expect(await storage.keys('pairline/dapp/')).toEqual([]) // the real dApp forgot the session
  })

  it('the clone race: one record and device key restored in two processes at once; both real parties and both copies learn SESSION_TAKEN_OVER', async () => {
    const { device, storage, dapp, wsession } = await paired()
    const twin = await copyOf(storage)
    await dapp.close()
    // Both copies start their resume from the same stored attempt number: the wallet answers the
    // first message 1 it reads and drops the other (same n, another message); the loser's retry then
    // lands on the generation the winner has retired and is told "superseded" (§8.4).
    const walletError = once<PairlineError>(wsession as WalletSession, 'error')
    const walletGone = once(wsession as WalletSession, 'disconnect')
    const [a, b] = await Promise.all([dappWith(storage, device), dappWith(twin, device)])
    const [sa, sb] = await Promise.all([a.restoreSessions(), b.restoreSessions()])
    const errors = [sa?.[0], sb?.[0]].map((s) => once<PairlineError>(s as DappSession, 'error'))
    expect(await walletError).toMatchObject({ code: 'SESSION_TAKEN_OVER' })
    await walletGone
    for (const e of await Promise.all(errors))
      expect(e).toMatchObject({
        code: 'SESSION_TAKEN_OVER',
        shortMessage: 'This session was taken over by another device.',
      })
  })

  it('a taken-over close is the peer’s claim: a malicious dApp sending one ends only its own session, says so, and the wallet’s other sessions keep signing', async () => {
    const { dapp, wallet, wsession } = await paired()
    // A second, honest dApp paired with the same wallet.
    const honest = await dappWith(memoryStorage())
    const pairing = await honest.pair()
    const proposal = await wallet.pair(pairing.uri)
    const [other] = await Promise.all([proposal.approve(), pairing.confirm()])
    // The first dApp closes with reason taken-over although nothing was resumed.
    const walletError = once<PairlineError>(wsession as WalletSession, 'error')
    const walletGone = once<{ code: number }>(wsession as WalletSession, 'disconnect')
    const evil = dapp.sessions[0] as unknown as { channel: Channel }
    await evil.channel.send({
      t: 'close',
      code: 4900,
      message: 'The session has ended.',
      reason: 'taken-over',
    })
    expect(await walletError).toMatchObject({
      code: 'SESSION_TAKEN_OVER',
      shortMessage: 'This session was taken over by another device.',
      details: 'The peer found that someone resumed this session with a copy of its secrets.',
    })
    expect(await walletGone).toMatchObject({ code: 4900 })
    const shown = once<{ method: string; reject(): Promise<void> }>(other as WalletSession, 'request')
    const answer = honest.sessions[0]?.provider.request({
      method: 'personal_sign',
      params: ['0x01', ACCOUNT.address],
    })
    await (await shown).reject()
    await expect(answer).rejects.toMatchObject({ code: 4001 })
  })
})
