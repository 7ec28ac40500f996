import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { memoryStorage } from '../storage/memory.js'
import type { Storage } from '../storage/types.js'
import { createWallet } from '../wallet/createWallet.js'
import { createDapp } from './createDapp.js'
import type { DappOptions } from './types.js'

const [a, b] = [privateKeyToAccount(ANVIL_KEYS[0]), privateKeyToAccount(ANVIL_KEYS[1])]
const metadata = { name: 'Unit dApp', url: 'https://dapp.example' }
const relay = useRelay()
const { cleanup } = relay

function dappFor(o: Partial<DappOptions> = {}) {
  const d = createDapp({ relayUrl: relay.url, metadata, chains: [1, 10], ...o })
  cleanup.push(() => d.close())
  return d
}
function walletFor() {
  const w = createWallet({
    metadata: { name: 'W', url: 'https://w.example' },
    accounts: [a, b],
    chains: [1, 10],
  })
  cleanup.push(() => w.close())
  return w
}

describe('createDapp', () => {
  it.each([
    [{ chains: [] }, 'INVALID_ARGUMENT', 'dApp options need at least one chain.'],
    [{ now: 5 as never }, 'INVALID_ARGUMENT', 'now must be a function.'],
    [{ relayUrl: 'http://x' }, 'INVALID_ARGUMENT', 'The relay url must be a ws:// or wss:// URL.'],
    [
      { relay: { pingIntervalMs: -1 } },
      'INVALID_ARGUMENT',
      'pingIntervalMs must be a whole number of ms from 1 to 2147483647.',
    ],
    [
      {
        chains: Array.from({ length: 32 }, (_, i) => i + 1),
        optionalChains: Array.from({ length: 32 }, (_, i) => 1000 + i),
        methods: Array.from({ length: 64 }, (_, i) => `custom_method_${i}_${'x'.repeat(40)}`),
      },
      'PAYLOAD_TOO_LARGE',
      'The session proposal is too large for the handshake.',
    ],
  ])('refuses bad options at once: %j', (o, code, shortMessage) => {
    expect(() => createDapp({ relayUrl: relay.url, metadata, chains: [1], ...o } as DappOptions)).toThrow(
      expect.objectContaining({ code, shortMessage }),
    )
  })

  it('pair() after close() is SESSION_CLOSED; close() rejects an open pairing with SESSION_CLOSED', async () => {
    const dapp = dappFor()
    const pairing = await dapp.pair()
    await dapp.close()
    await expect(pairing.approved).rejects.toMatchObject({
      code: 'SESSION_CLOSED',
      shortMessage: 'The dApp client was closed.',
    })
    await expect(dapp.pair()).rejects.toMatchObject({
      code: 'SESSION_CLOSED',
      shortMessage: 'This dApp client is closed.',
    })
  })

  it('cancel() rejects sas and approved with SESSION_CLOSED', async () => {
    const pairing = await dappFor().pair()
    pairing.cancel()
    await expect(pairing.sas).rejects.toMatchObject({
      code: 'SESSION_CLOSED',
      shortMessage: 'The pairing was cancelled.',
    })
    await expect(pairing.approved).rejects.toMatchObject({ code: 'SESSION_CLOSED' })
  })

  it('the URI expiry follows the injected clock, in unix seconds like the core', async () => {
    const pairing = await dappFor({ now: () => 2_000_000_000, pairingTtlSeconds: 120 }).pair()
    expect(pairing.expiresAt).toBe(2_000_000_120)
  })

  it('a session is a plain object: no constructor, no record(), readonly lists', async () => {
    const dapp = dappFor()
    const pairing = await dapp.pair()
    const proposal = await walletFor().pair(pairing.uri)
    const [, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    expect(session.peer).toEqual({ name: 'W', url: 'https://w.example' })
    expect('record' in session).toBe(true) // present at run time, absent from the DappSession type
    // @ts-expect-error record() is not part of the public type
    session.record
    expect(dapp.sessions).toEqual([session])
  })

  it('accounts changed by the wallet are stored: a restarted dApp restores them, each once', async () => {
    const storage: Storage = memoryStorage()
    const first = dappFor({ storage })
    const pairing = await first.pair()
    const [wsession, session] = await Promise.all([
      (await walletFor().pair(pairing.uri)).approve(),
      pairing.confirm(),
    ])
    expect(session.accounts).toEqual([a.address, b.address]) // 2 chains x 2 accounts approved
    const changed = new Promise((r) => session.on('accountsChanged', r))
    await wsession.setAccounts([b.address])
    await changed
    await first.close()
    const [restored] = await dappFor({ storage }).restoreSessions()
    expect(restored?.accounts).toEqual([b.address])
    expect(await restored?.provider.request({ method: 'eth_accounts' })).toEqual([b.address])
  })
})
