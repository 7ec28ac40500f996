/**
 * Redis restarts under traffic, with and without persistence: two relay nodes (child processes) on
 * a redis-server of this test's own (never the shared one), the real SDK on both sides.
 */
import { type RedisServer, startRedisServer, uniquePrefix } from '@pairline/testkit/redis'
import { frameCounts, killRelayNodes, routedWebSocket, startRelayNode } from '@pairline/testkit/relayNodes'
import { createWalletClient, custom, verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterEach, describe, expect, it } from 'vitest'
import { createDapp } from './index.js'
import { createWallet } from './wallet/index.js'

const KEY = '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80'
const cleanup: (() => Promise<unknown>)[] = []
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
  await killRelayNodes()
})

describe.each([
  ['without persistence: the mailbox is lost, detected (new epoch) and re-sent', false],
  ['with AOF persistence (appendfsync always): the mailbox survives', true],
])('Redis restart during traffic, %s', (_name, persist) => {
  it('every request is answered once, without manual action', async () => {
    const redis: RedisServer = await startRedisServer({ persist })
    cleanup.push(() => redis.stop())
    const args = ['--redis', redis.url, '--redis-prefix', uniquePrefix()]
    const [a, b] = await Promise.all([startRelayNode(args), startRelayNode(args)])
    const counts = { dapp: frameCounts(), wallet: frameCounts() }
    const dapp = createDapp({
      relayUrl: a.url,
      metadata: { name: 'Restart dApp', url: 'https://dapp.example' },
      chains: [31337],
      relay: { WebSocket: routedWebSocket(() => a.url, counts.dapp) },
    })
    const wallet = createWallet({
      metadata: { name: 'Restart Wallet', url: 'https://wallet.example' },
      accounts: [privateKeyToAccount(KEY)],
      chains: [31337],
      relay: { WebSocket: routedWebSocket(() => b.url, counts.wallet) },
    })
    cleanup.push(
      () => dapp.close(),
      () => wallet.close(),
    )
    const pairing = await dapp.pair()
    const [wsession, session] = await Promise.all([
      (await wallet.pair(pairing.uri)).approve(),
      pairing.confirm(),
    ])
    const address = session.accounts[0] as `0x${string}`
    const client = createWalletClient({ account: address, transport: custom(session.provider) })

    const N = 16
    const handled = new Map<string, number>()
    let restarted: Promise<void> | null = null
    wsession.on('request', (req) => {
      const message = String((req.params as unknown[])[0])
      handled.set(message, (handled.get(message) ?? 0) + 1)
      // Half-way through, Redis dies (SIGKILL) and comes back at once, with or without its data.
      if (handled.size === N / 2 && !restarted) restarted = redis.kill().then(() => redis.start())
      void req.approve().catch(() => {})
    })
    const messages = Array.from({ length: N }, (_, i) => `restart request ${i}`)
    const signatures = await Promise.all(messages.map((message) => client.signMessage({ message })))
    await restarted
    for (const [i, message] of messages.entries()) {
      expect(await verifyMessage({ address, message, signature: signatures[i] as `0x${string}` })).toBe(true)
    }
    expect(handled.size).toBe(N)
    expect([...handled.values()].every((n) => n === 1)).toBe(true)
    const lost = [
      await a.metric('pairline_relay_mailbox_lost_total'),
      await b.metric('pairline_relay_mailbox_lost_total'),
    ]
    expect(lost).toEqual(persist ? [0, 0] : [1, 1])
    console.log(
      `Redis restart (${persist ? 'AOF always' : 'no persistence'}): ${N} requests answered, handled twice 0; ` +
        `epoch changes seen by the nodes: ${lost.join(', ')}; dApp ${counts.dapp.connections} connections, ` +
        `${counts.dapp.publishes} publishes; wallet ${counts.wallet.connections} connections, ${counts.wallet.publishes} publishes`,
    )
  })
})
