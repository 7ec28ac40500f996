import {
  createRelay,
  DEFAULT_LIMITS,
  MemoryBroker,
  type StoredMessage,
  type Subscriber,
} from '@pairline/relay'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { type ManualTimers, manualTimers } from '@pairline/testkit/timers'
import { createWalletClient, custom, verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { createDapp, memoryStorage, type Storage } from './index.js'
import { decodeRecord } from './records/record.js'
import { createWallet, type WalletRequest } from './wallet/index.js'

const dappMeta = { name: 'Lifecycle dApp', url: 'https://dapp.example' }
const walletMeta = { name: 'Lifecycle Wallet', url: 'https://wallet.example' }
const account = privateKeyToAccount(ANVIL_KEYS[0])

const relay = useRelay({ ignoreCleanupErrors: true })
const { cleanup } = relay

function dappFor(
  url: string,
  o: {
    storage?: Storage
    pairingTtlSeconds?: number
    sessionTtlSeconds?: number
    timers?: ManualTimers
    now?: () => number
  } = {},
) {
  const d = createDapp({ relayUrl: url, metadata: dappMeta, chains: [31337], ...o })
  cleanup.push(() => d.close())
  return d
}
function walletFor(o: { storage?: Storage; timers?: ManualTimers; now?: () => number } = {}) {
  const w = createWallet({ metadata: walletMeta, accounts: [account], chains: [31337], ...o })
  cleanup.push(() => w.close())
  return w
}

async function paired(
  url = relay.url,
  o: {
    dappStorage?: Storage
    walletStorage?: Storage
    sessionTtlSeconds?: number
    clock?: ManualTimers
  } = {},
) {
  // On a manual clock both sides read one time, in seconds, that moves only when the test says.
  const t0 = Date.now() / 1000
  const { clock } = o
  const time = clock ? { timers: clock, now: () => t0 + clock.now / 1000 } : {}
  const dapp = dappFor(url, {
    ...(o.dappStorage ? { storage: o.dappStorage } : {}),
    ...(o.sessionTtlSeconds ? { sessionTtlSeconds: o.sessionTtlSeconds } : {}),
    ...time,
  })
  const wallet = walletFor({ ...(o.walletStorage ? { storage: o.walletStorage } : {}), ...time })
  const pairing = await dapp.pair()
  const [wsession, session] = await Promise.all([
    (await wallet.pair(pairing.uri)).approve(),
    pairing.confirm(),
  ])
  return { dapp, wallet, wsession, session }
}

const sign = (
  provider: { request(a: { method: string; params?: unknown }): Promise<unknown> },
  text: string,
) =>
  createWalletClient({ account: account.address, transport: custom(provider) }).signMessage({ message: text })

describe('expiry', () => {
  it('an unused pairing expires on the dApp, and the wallet refuses its URI', async () => {
    const dapp = dappFor(relay.url, { pairingTtlSeconds: 1 })
    const pairing = await dapp.pair()
    await expect(pairing.approved).rejects.toMatchObject({ code: 'PAIRING_EXPIRED' })
    await expect(walletFor().pair(pairing.uri)).rejects.toMatchObject({ code: 'URI_EXPIRED' })
  })

  it('a session expires on both sides: disconnect events, requests refused, storage forgotten', async () => {
    const dappStorage = memoryStorage()
    const clock = manualTimers()
    const { session, wsession } = await paired(relay.url, { sessionTtlSeconds: 2, dappStorage, clock })
    expect(await dappStorage.keys('pairline/dapp/')).toHaveLength(1)
    const both = Promise.all([
      new Promise((r) => session.once('disconnect', r)),
      new Promise((r) => wsession.once('disconnect', r)),
    ])
    clock.advance(1_000)
    expect([session.ended, wsession.ended]).toEqual([false, false]) // the expiry waits on the app's clock
    clock.advance(1_000)
    expect(await both).toEqual([
      expect.objectContaining({ code: 4900 }),
      expect.objectContaining({ code: 4900 }),
    ])
    await expect(session.provider.request({ method: 'eth_accounts' })).rejects.toMatchObject({ code: 4900 })
    expect(await dappStorage.keys('pairline/dapp/')).toEqual([])
  })
})

describe('restarts and resume', () => {
  it('the dApp restarts mid-session and resumes without re-pairing (fresh handshake)', async () => {
    const dappStorage = memoryStorage()
    const { dapp, wsession } = await paired(relay.url, { dappStorage })
    wsession.on('request', (r) => void r.approve().catch(() => {}))
    const topicsOf = async () => {
      const [key] = await dappStorage.keys('pairline/dapp/')
      return decodeRecord<{ channel: { topics: unknown } }>((await dappStorage.get(key!))!).json.channel
        .topics
    }
    const before = await topicsOf()
    await dapp.close()
    const again = dappFor(relay.url, { storage: dappStorage })
    const [restored] = await again.restoreSessions()
    expect(restored).toBeDefined()
    expect(restored!.accounts).toEqual([account.address])
    const signature = await sign(restored!.provider, 'after restart')
    expect(await verifyMessage({ address: account.address, message: 'after restart', signature })).toBe(true)
    // A fresh resume handshake ran: the session's topics (derived from new DH output) changed.
    expect(await topicsOf()).not.toEqual(before)
  })

  it('the wallet restarts with a request pending; after restore it is shown again and answered', async () => {
    const walletStorage = memoryStorage()
    const { wallet, session } = await paired(relay.url, { walletStorage })
    const firstShown = new Promise<WalletRequest>((r) => wallet.sessions[0]!.once('request', r))
    const result = sign(session.provider, 'pending across restart')
    expect((await firstShown).method).toBe('personal_sign')
    await wallet.close() // the user closed the wallet before answering
    const again = walletFor({ storage: walletStorage })
    const [restored] = await again.restoreSessions()
    const shown = await new Promise<WalletRequest>((r) => restored!.once('request', r))
    expect(shown.method).toBe('personal_sign')
    await shown.approve()
    const signature = await result
    expect(
      await verifyMessage({ address: account.address, message: 'pending across restart', signature }),
    ).toBe(true)
  })

  it('recovers when the relay restarts mid-session (requests made during the outage complete)', async () => {
    const own = await createRelay({ port: 0 })
    const port = own.port
    const { dapp, wsession, session } = await paired(own.url)
    wsession.on('request', (r) => void r.approve().catch(() => {}))
    expect(await sign(session.provider, 'before')).toMatch(/^0x/)
    // The outage lasts until the dApp's relay client has lost the relay AND failed a reconnect to
    // it (its second 'reconnecting'): an event, not a sleep.
    const outage = new Promise<void>((resolve) => {
      let seen = 0
      dapp.relay.on('reconnecting', () => {
        if (++seen === 2) resolve()
      })
    })
    await own.close()
    const during = sign(session.provider, 'during the outage')
    await outage
    const back = await createRelay({ port })
    cleanup.push(() => back.close())
    const signature = await during
    expect(await verifyMessage({ address: account.address, message: 'during the outage', signature })).toBe(
      true,
    )
  })
})

describe('a relay that duplicates everything', () => {
  /** A real relay whose broker delivers every message twice, as an at-least-once relay may. */
  class DuplicatingBroker extends MemoryBroker {
    override publish(m: StoredMessage) {
      const r = super.publish(m)
      if (r.ok && !r.duplicate) {
        for (const s of this.extra.get(m.topicKey) ?? []) s.deliver(m)
      }
      return r
    }
    extra = new Map<string, Set<Subscriber>>()
    override subscribe(topic: string, s: Subscriber, now: number) {
      const set = this.extra.get(topic) ?? new Set()
      set.add(s)
      this.extra.set(topic, set)
      return super.subscribe(topic, s, now)
    }
    override unsubscribe(topic: string, s: Subscriber) {
      this.extra.get(topic)?.delete(s)
      return super.unsubscribe(topic, s)
    }
  }

  it('shows and signs each request once', async () => {
    const dup = await createRelay({ port: 0, broker: new DuplicatingBroker(DEFAULT_LIMITS) })
    cleanup.push(() => dup.close())
    const { wsession, session } = await paired(dup.url)
    const shown: string[] = []
    wsession.on('request', (r) => {
      shown.push(r.id)
      void r.approve().catch(() => {})
    })
    for (const text of ['one', 'two', 'three']) {
      const signature = await sign(session.provider, text)
      expect(await verifyMessage({ address: account.address, message: text, signature })).toBe(true)
    }
    expect(shown).toHaveLength(3)
    expect(new Set(shown).size).toBe(3) // three random ids, each shown once
  })
})
