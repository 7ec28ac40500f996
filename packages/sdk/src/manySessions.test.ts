import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { createWalletClient, custom, verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { createDapp } from './index.js'
import { createWallet } from './wallet/index.js'

const account = privateKeyToAccount(ANVIL_KEYS[0])
const closers: (() => Promise<unknown> | unknown)[] = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
})

async function setup(relay: Relay) {
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: { name: 'Many sessions dApp', url: 'https://dapp.example' },
    chains: [31337],
  })
  const wallet = createWallet({
    metadata: { name: 'Many sessions wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [31337],
  })
  closers.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  const pairOnce = async () => {
    const pairing = await dapp.pair()
    const [wsession, session] = await Promise.all([
      (await wallet.pair(pairing.uri)).approve(),
      pairing.confirm(),
    ])
    return { wsession, session }
  }
  return { pairOnce, dapp, wallet }
}

describe('a wallet and a dApp holding many sessions, each on its one relay connection (PROTOCOL.md §13.5 "Topics")', () => {
  it('70 sessions on a relay with the default limits (64 topics per connection refused the 65th)', async () => {
    const relay = await createRelay({ port: 0, shutdownTimeoutMs: 500 })
    closers.push(() => relay.close())
    const { pairOnce } = await setup(relay)
    let last: Awaited<ReturnType<typeof pairOnce>> | undefined
    for (let i = 0; i < 70; i++) last = await pairOnce()
    last!.wsession.on('request', (r) => void r.approve())
    const client = createWalletClient({ account: account.address, transport: custom(last!.session.provider) })
    const signature = await client.signMessage({ message: 'the 70th' })
    expect(await verifyMessage({ address: account.address, message: 'the 70th', signature })).toBe(true)
  })

  it('past a relay limit the pairing fails on both sides, the dApp with RELAY_REJECTED / TOO_MANY_TOPICS', async () => {
    // 2 topics per connection: a session's topic and the next pairing's fit, the next session's not
    const relay = await createRelay({
      port: 0,
      shutdownTimeoutMs: 500,
      limits: { maxTopicsPerConnection: 2 },
    })
    closers.push(() => relay.close())
    const { dapp, wallet, pairOnce } = await setup(relay)
    await pairOnce()
    const pairing = await dapp.pair()
    const proposal = await wallet.pair(pairing.uri)
    const [outcome, confirmed] = await Promise.allSettled([proposal.approve(), pairing.confirm()])
    expect(confirmed).toMatchObject({
      status: 'rejected',
      reason: { code: 'RELAY_REJECTED', details: 'TOO_MANY_TOPICS' },
    })
    expect(outcome.status === 'rejected' ? outcome.reason : null).toMatchObject({ code: 'PAIRING_CANCELLED' })
  })
})
