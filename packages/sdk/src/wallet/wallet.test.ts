import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { createDapp } from '../dapp/createDapp.js'
import { decodeRecord } from '../records/record.js'
import { memoryStorage } from '../storage/memory.js'
import type { Storage } from '../storage/types.js'
import { createWallet } from './createWallet.js'
import type { WalletOptions } from './types.js'

const [a, b] = [privateKeyToAccount(ANVIL_KEYS[0]), privateKeyToAccount(ANVIL_KEYS[1])]
const stranger = privateKeyToAccount(generatePrivateKey())
const metadata = { name: 'Unit Wallet', url: 'https://wallet.example' }
const relay = useRelay()
const { cleanup } = relay

function walletFor(o: Partial<WalletOptions> = {}) {
  const w = createWallet({ metadata, accounts: [a, b], chains: [1, 10], ...o })
  cleanup.push(() => w.close())
  return w
}
async function proposalFor(o: Partial<WalletOptions> = {}) {
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: { name: 'D', url: 'https://d.example' },
    chains: [1, 10],
  })
  cleanup.push(() => dapp.close())
  const pairing = await dapp.pair()
  const wallet = walletFor(o)
  return { wallet, pairing, proposal: await wallet.pair(pairing.uri) }
}

describe('createWallet', () => {
  it.each([
    [{ accounts: [] }, 'INVALID_ARGUMENT', 'createWallet needs at least one viem Account in `accounts`.'],
    [{ accounts: [{}] as never }, 'INVALID_ARGUMENT', 'Every entry of `accounts` must be a viem Account.'],
    [{ chains: [] }, 'INVALID_ARGUMENT', 'wallet options need at least one chain.'],
  ])('refuses bad options at once: %j', (o, code, shortMessage) => {
    expect(() => createWallet({ metadata, accounts: [a], chains: [1], ...o } as WalletOptions)).toThrow(
      expect.objectContaining({ code, shortMessage }),
    )
  })

  it('approves several accounts; accounts are addresses, each once, on both sides', async () => {
    const { proposal, pairing, wallet } = await proposalFor()
    expect(proposal.peer).toEqual({ name: 'D', url: 'https://d.example' })
    const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    expect(wsession.accounts).toEqual([a.address, b.address])
    expect(session.accounts).toEqual([a.address, b.address])
    expect(wallet.relays.get(relay.url)?.status).toBe('open')
  })

  it('approve() with an account the wallet cannot sign for is UNAUTHORIZED, and the proposal stays open', async () => {
    const { proposal, pairing } = await proposalFor()
    await expect(proposal.approve({ accounts: [stranger.address] })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      shortMessage: 'The wallet cannot sign for that account.',
      details: stranger.address,
    })
    const [wsession, session] = await Promise.all([
      proposal.approve({ accounts: [b.address] }),
      pairing.confirm(),
    ])
    expect(wsession.accounts).toEqual([b.address])
    expect(session.accounts).toEqual([b.address])
  })

  it('setAccounts() only takes accounts the wallet can sign for, and updates accounts', async () => {
    const { proposal, pairing } = await proposalFor()
    const [wsession] = await Promise.all([proposal.approve({ accounts: [a.address] }), pairing.confirm()])
    await expect(wsession.setAccounts([stranger.address])).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
      shortMessage: 'The wallet cannot sign for that account.',
    })
    expect(wsession.accounts).toEqual([a.address])
    await wsession.setAccounts([b.address, a.address, b.address])
    expect(wsession.accounts).toEqual([b.address, a.address])
  })

  it('one received request costs the wallet one sealed write before the user answers', async () => {
    const writes: Uint8Array[] = []
    const inner = memoryStorage()
    const storage: Storage = {
      ...inner,
      set: async (k, v) => {
        writes.push(v.slice()) // a copy: the SDK wipes the record it handed over once stored
        await inner.set(k, v)
      },
    }
    const { proposal, pairing, wallet } = await proposalFor({ storage })
    const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    const shown = new Promise((r) => wsession.on('request', r))
    void session.provider.request({ method: 'personal_sign', params: ['0x68', a.address] }).catch(() => {})
    await shown
    await wallet.close() // suspending waits for every queued write
    const withPending = writes.filter(
      (w) => decodeRecord<{ requests: unknown[] }>(w).json.requests.length > 0,
    )
    expect(withPending).toHaveLength(1) // was 2: the channel's write and the session's own
  })
})
