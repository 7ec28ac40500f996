/**
 * The relay as several nodes (real `pairline-relay` child processes) on one Redis and on a 3-master
 * Redis Cluster, with the real SDK on both sides. The SDK takes one relay URL; a routed WebSocket
 * (testkit/relayNodes) plays the load balancer: it opens each connection to the node picked then.
 */
import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import {
  deletePrefix,
  REDIS_URL,
  requireRedis,
  startRedisCluster,
  uniquePrefix,
} from '@pairline/testkit/redis'
import { hex, randomId, randomTopic, TestClient } from '@pairline/testkit/relay'
import {
  type FrameCounts,
  frameCounts,
  killRelayNodes,
  type RelayNode,
  routedWebSocket,
  startRelayNode,
} from '@pairline/testkit/relayNodes'
import { createPublicClient, createWalletClient, custom, http, parseEther, verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDapp } from './index.js'
import { createWallet } from './wallet/index.js'

let anvil: Anvil
const cleanup: (() => Promise<unknown>)[] = []
beforeAll(async () => {
  anvil = await startAnvil({ chainId: 31337 })
})
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
  await killRelayNodes()
})
afterAll(() => anvil?.stop())

type Storage = { name: string; args: (prefix: string) => string[]; stop(): Promise<void> }

async function oneRedis(): Promise<Storage> {
  await requireRedis()
  const prefixes: string[] = []
  return {
    name: 'one Redis',
    args: (prefix) => {
      prefixes.push(prefix)
      return ['--redis', REDIS_URL, '--redis-prefix', prefix]
    },
    stop: async () => {
      await Promise.all(prefixes.map((p) => deletePrefix(p)))
    },
  }
}

async function redisCluster(): Promise<Storage> {
  const cluster = await startRedisCluster(3)
  return {
    name: 'a 3-master Redis Cluster',
    args: (prefix) => ['--redis-cluster', cluster.seeds.join(','), '--redis-prefix', prefix],
    stop: () => cluster.stop(),
  }
}

/** A dApp whose connections go to `dappNode()`, a wallet whose connections go to `walletNode()`. */
async function pairAcross(dappNode: () => RelayNode, walletNode: () => RelayNode) {
  const counts = { dapp: frameCounts(), wallet: frameCounts() }
  const dapp = createDapp({
    relayUrl: dappNode().url,
    metadata: { name: 'Cluster dApp', url: 'https://dapp.example' },
    chains: [31337],
    rpcUrls: { 31337: anvil.rpcUrl },
    relay: { WebSocket: routedWebSocket(() => dappNode().url, counts.dapp) },
  })
  const wallet = createWallet({
    metadata: { name: 'Cluster Wallet', url: 'https://wallet.example' },
    accounts: [privateKeyToAccount(ANVIL_KEYS[0])],
    chains: [31337],
    transports: { 31337: http(anvil.rpcUrl) },
    relay: { WebSocket: routedWebSocket(() => walletNode().url, counts.wallet) },
  })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  expect(proposal.sas).toBe(await pairing.sas)
  const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
  const address = session.accounts[0] as `0x${string}`
  const client = createWalletClient({ account: address, transport: custom(session.provider) })
  return { wsession, session, client, address, counts }
}

const summary = (c: FrameCounts) =>
  `${c.publishes} publishes, ${c.messages} deliveries, ${c.connections} connections`

describe.each([
  ['one Redis', oneRedis],
  ['a 3-master Redis Cluster', redisCluster],
])('relay nodes on %s', (_name, makeStorage) => {
  let storage: Storage
  beforeAll(async () => {
    storage = await makeStorage()
  })
  afterAll(() => storage?.stop())

  it('pairs and answers requests with the dApp on node A and the wallet on node B', async () => {
    const args = storage.args(uniquePrefix())
    const [a, b] = await Promise.all([startRelayNode(args), startRelayNode(args)])
    const { wsession, client, address, counts } = await pairAcross(
      () => a,
      () => b,
    )
    const seen: string[] = []
    wsession.on('request', (req) => {
      seen.push(req.method)
      void req.approve().catch(() => {})
    })
    const signature = await client.signMessage({ message: 'across two nodes' })
    expect(await verifyMessage({ address, message: 'across two nodes', signature })).toBe(true)
    const to = privateKeyToAccount(ANVIL_KEYS[1]).address
    const hash = await client.sendTransaction({ to, value: parseEther('0.5'), chain: null })
    const receipt = await createPublicClient({ transport: http(anvil.rpcUrl) }).waitForTransactionReceipt({
      hash,
    })
    expect(receipt.status).toBe('success')
    expect(seen).toEqual(['personal_sign', 'eth_sendTransaction'])
    // Both nodes carried the session: the dApp only ever spoke to A, the wallet only to B.
    expect((await a.metric('pairline_relay_messages_in_total')) ?? 0).toBeGreaterThan(0)
    expect((await b.metric('pairline_relay_messages_in_total')) ?? 0).toBeGreaterThan(0)
    console.log(`[${storage.name}] pairing: dApp ${summary(counts.dapp)}; wallet ${summary(counts.wallet)}`)
  })

  it('failover: SIGKILL node A with requests in flight both ways; every one answered, none handled twice', async () => {
    const args = storage.args(uniquePrefix())
    const [a, b] = await Promise.all([startRelayNode(args), startRelayNode(args)])
    let dappNode = a
    const { wsession, client, address, counts } = await pairAcross(
      () => dappNode,
      () => b,
    )
    const N = 24
    const handled = new Map<string, number>()
    let killed: Promise<void> | null = null
    let atKill = { requestsSeen: 0, dappPublishes: 0, walletPublishes: 0 }
    wsession.on('request', (req) => {
      const message = String((req.params as unknown[])[0])
      handled.set(message, (handled.get(message) ?? 0) + 1)
      if (handled.size === N / 2 && !killed) {
        // Half the requests have reached the wallet: the rest are in flight to it, and the answers
        // to these are in flight back. The balancer sends new connections to B from now on.
        atKill = {
          requestsSeen: handled.size,
          dappPublishes: counts.dapp.publishes,
          walletPublishes: counts.wallet.publishes,
        }
        dappNode = b
        killed = a.kill()
      }
      void req.approve().catch(() => {})
    })
    const messages = Array.from({ length: N }, (_, i) => `failover request ${i}`)
    const signatures = await Promise.all(messages.map((message) => client.signMessage({ message })))
    await killed
    for (const [i, message] of messages.entries()) {
      expect(await verifyMessage({ address, message, signature: signatures[i] as `0x${string}` })).toBe(true)
    }
    expect([...handled.values()].every((n) => n === 1)).toBe(true)
    expect(handled.size).toBe(N)
    expect(counts.dapp.connections).toBeGreaterThanOrEqual(2)
    console.log(
      `[${storage.name}] failover: ${N} requests; node A killed after the wallet had ${atKill.requestsSeen}; ` +
        `published before the kill: dApp ${atKill.dappPublishes}, wallet ${atKill.walletPublishes}; ` +
        `answered ${signatures.length}/${N}; handled twice 0; after: dApp ${summary(counts.dapp)}, wallet ${summary(counts.wallet)}`,
    )
  })

  it('keeps the mailbox across nodes: published on A while nobody listens, read on B, acked for both', async () => {
    const args = storage.args(uniquePrefix())
    const [a, b] = await Promise.all([startRelayNode(args), startRelayNode(args)])
    const pub = await TestClient.connect(a.url)
    const topic = randomTopic()
    const id = randomId()
    expect(await pub.publish(topic, id, 300, new TextEncoder().encode('kept'))).toBe('OK')
    const sub = await TestClient.connect(b.url)
    expect(await sub.subscribe([topic])).toBe('OK')
    const m = await sub.nextMessage()
    expect([hex(m.id), new TextDecoder().decode(m.payload)]).toEqual([hex(id), 'kept'])
    expect(await sub.ack([{ topic, id }])).toBe('OK')
    const again = await TestClient.connect(a.url)
    expect(await again.subscribe([topic])).toBe('OK')
    expect(await again.ping()).toBe('OK')
    expect(again.queued).toBe(0)
    for (const c of [pub, sub, again]) c.ws.terminate()
  })
})
