import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { HostileNetwork } from '@pairline/testkit/hostile'
import { useRelay } from '@pairline/testkit/relay'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { createDapp } from './dapp/index.js'
import { createWallet } from './wallet/index.js'

const account = privateKeyToAccount(ANVIL_KEYS[0])
const relay = useRelay()

describe('the timers option (createDapp, createWallet)', () => {
  it('schedules the channel’s resend timer: a request the relay dropped is sent again when the app’s clock reaches 2 s, not before, then after 4 s', async () => {
    const net = new HostileNetwork({ seed: 1, record: true })
    const dapp = createDapp({
      relayUrl: relay.url,
      metadata: { name: 'Timers dApp', url: 'https://dapp.example' },
      chains: [1],
      timers: net.clock,
      relay: { WebSocket: net.socketClass('dapp') as never },
    })
    const wallet = createWallet({
      metadata: { name: 'Timers Wallet', url: 'https://wallet.example' },
      accounts: [account],
      chains: [1],
      timers: net.clock,
      relay: { WebSocket: net.socketClass('wallet') as never },
    })
    relay.cleanup.push(
      () => dapp.close(),
      () => wallet.close(),
    )
    const pairing = await dapp.pair()
    const [w, d] = await Promise.all([(await wallet.pair(pairing.uri)).approve(), pairing.confirm()])
    let shown = 0
    w.on('request', (req) => {
      shown++
      void req.approve()
    })
    const sent = () => net.published.filter((f) => f.from === 'dapp' && f.payload[1] === 0x10).length

    net.rates = { drop: 1 } // every frame the relay delivers is lost
    const answer = d.provider.request({ method: 'personal_sign', params: ['hello', account.address] })
    await net.when(() => net.counts.drop >= 1) // the request was published, and lost on its way
    const first = sent()
    expect(net.clock.pending()).toContain(2000) // the resend timer, on the app's clock
    net.clock.advance(1999)
    expect(sent()).toBe(first) // not before 2 s
    net.clock.advance(1)
    await net.when(() => sent() > first) // sent again at 2 s (and lost again)
    await net.when(() => net.counts.drop >= 2)
    expect(net.clock.pending()).toContain(4000) // the next wait is twice as long
    const second = sent()
    net.rates = {}
    net.clock.advance(4000)
    await net.when(() => sent() > second)
    expect(await answer).toBe(await account.signMessage({ message: 'hello' }))
    expect(shown).toBe(1)
  })
})
