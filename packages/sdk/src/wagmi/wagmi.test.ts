/**
 * The wagmi connector with `@wagmi/core`'s own createConfig and actions, against a real relay, a
 * real wallet (createWallet) and two real anvil chains.
 */
import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import {
  type Config,
  connect,
  createConfig,
  disconnect,
  getConnection,
  reconnect,
  sendTransaction,
  signMessage,
  switchChain,
  waitForTransactionReceipt,
} from '@wagmi/core'
import { type Chain, defineChain, http, parseEther, verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Pairing } from '../dapp/types.js'
import type { PairlineError } from '../errors/base.js'
import { memoryStorage } from '../storage/memory.js'
import type { Storage } from '../storage/types.js'
import { createWallet, type Wallet, type WalletSession } from '../wallet/index.js'
import { pairline } from './index.js'

const account = privateKeyToAccount(ANVIL_KEYS[0])
const recipient = privateKeyToAccount(ANVIL_KEYS[1]).address
let relay: Relay
let anvils: Anvil[]
let chains: [Chain, Chain]
let wallet: Wallet
const walletSessions: WalletSession[] = []

beforeAll(async () => {
  ;[relay, ...anvils] = await Promise.all([
    createRelay({ port: 0 }),
    startAnvil({ chainId: 31337 }),
    startAnvil({ chainId: 31338 }),
  ])
  const chain = (a: Anvil): Chain =>
    defineChain({
      id: a.chainId,
      name: `Anvil ${a.chainId}`,
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [a.rpcUrl] } },
    })
  chains = [chain(anvils[0]!), chain(anvils[1]!)]
  wallet = createWallet({
    metadata: { name: 'Wagmi Test Wallet', url: 'https://wallet.example' },
    accounts: [account],
    chains: [31337, 31338],
    transports: { 31337: http(anvils[0]!.rpcUrl), 31338: http(anvils[1]!.rpcUrl) },
  })
})
afterAll(async () => {
  await wallet?.close()
  await Promise.all([relay?.close(), ...(anvils ?? []).map((a) => a.stop())])
})

/** The wallet's user: pairs the URI, checks the code matches, approves; the dApp's user confirms. */
async function walletApproves(pairing: Pairing): Promise<void> {
  const proposal = await wallet.pair(pairing.uri)
  expect(proposal.sas).toBe(await pairing.sas)
  const [ws] = await Promise.all([proposal.approve(), pairing.confirm()])
  ws.on('request', (req) => void req.approve())
  walletSessions.push(ws)
}

function wagmiConfig(storage: Storage, onPairing = walletApproves): Config {
  return createConfig({
    chains,
    connectors: [
      pairline({
        relayUrl: relay.url,
        metadata: { name: 'Wagmi Test dApp', url: 'https://dapp.example' },
        storage,
        onPairing,
      }),
    ],
    transports: { [chains[0].id]: http(), [chains[1].id]: http() },
  })
}

const dappOf = (config: Config) =>
  (config.connectors[0] as unknown as { getDapp(): { close(): Promise<void> } }).getDapp()

describe('pairline() with @wagmi/core', { timeout: 60_000 }, () => {
  const storage = memoryStorage()
  let config: Config

  it('connects through onPairing (URI and code), each account once, on the first chain', async () => {
    config = wagmiConfig(storage)
    const result = await connect(config, { connector: config.connectors[0]! })
    expect(result).toEqual({ accounts: [account.address], chainId: 31337 })
    expect(getConnection(config)).toMatchObject({
      status: 'connected',
      address: account.address,
      chainId: 31337,
    })
  })

  it('signs a message and sends a transaction that is mined', async () => {
    const signature = await signMessage(config, { message: 'hello wagmi' })
    expect(await verifyMessage({ address: account.address, message: 'hello wagmi', signature })).toBe(true)
    const hash = await sendTransaction(config, { to: recipient, value: parseEther('0.25') })
    const receipt = await waitForTransactionReceipt(config, { hash, chainId: 31337 })
    expect(receipt.status).toBe('success')
    expect(receipt.from.toLowerCase()).toBe(account.address.toLowerCase())
  })

  it('switches chain: the wallet switches, wagmi follows', async () => {
    const chain = await switchChain(config, { chainId: 31338 })
    expect(chain.id).toBe(31338)
    expect(getConnection(config).chainId).toBe(31338)
    expect(walletSessions.at(-1)!.chainId).toBe('eip155:31338')
  })

  it('reconnects from the restored session in a new page (no pairing), then signs', async () => {
    await dappOf(config).close()
    const again = wagmiConfig(storage, () => {
      throw new Error('reconnect must not pair')
    })
    const connections = await reconnect(again)
    expect(connections).toHaveLength(1)
    expect(connections[0]).toMatchObject({ accounts: [account.address], chainId: 31338 })
    expect(getConnection(again).status).toBe('connected')
    const signature = await signMessage(again, { message: 'after reload' })
    expect(await verifyMessage({ address: account.address, message: 'after reload', signature })).toBe(true)
    config = again
  })

  it("wagmi's disconnect ends the session on both sides", async () => {
    const ws = walletSessions.at(-1)!
    const seen = new Promise<{ code: number; message: string }>((r) => ws.once('disconnect', r))
    await disconnect(config)
    expect(await seen).toEqual({ code: 4900, message: 'The dApp disconnected.' })
    expect(ws.ended).toBe(true)
    expect(getConnection(config).status).toBe('disconnected')
    // nor in this page: the session it restored earlier has ended
    expect(await config.connectors[0]!.isAuthorized()).toBe(false)
    await expect(reconnect(config)).resolves.toEqual([])
    // nothing left to restore
    const fresh = wagmiConfig(storage)
    expect(await fresh.connectors[0]!.isAuthorized()).toBe(false)
    await expect(reconnect(fresh)).resolves.toEqual([])
    await dappOf(config).close()
    await dappOf(fresh).close()
  })

  it('the wallet ending the session disconnects wagmi', async () => {
    const c = wagmiConfig(memoryStorage())
    await connect(c, { connector: c.connectors[0]! })
    const gone = new Promise<void>((resolve) =>
      c.subscribe(
        (s) => s.status,
        (status) => status === 'disconnected' && resolve(),
      ),
    )
    await walletSessions.at(-1)!.disconnect()
    await gone
    expect(getConnection(c).address).toBeUndefined()
    await dappOf(c).close()
  })

  it('the wallet rejecting the pairing rejects connect with 4001', async () => {
    const c = wagmiConfig(memoryStorage(), async (pairing) => {
      const proposal = await wallet.pair(pairing.uri)
      await proposal.reject()
    })
    const err = (await connect(c, { connector: c.connectors[0]! }).catch(
      (e: unknown) => e,
    )) as PairlineError<number>
    expect(err).toMatchObject({ code: 4001, name: 'ProviderRpcError' })
    expect(err.shortMessage).toMatch(/rejected/i)
    expect(getConnection(c).status).toBe('disconnected')
    await dappOf(c).close()
  })
})
