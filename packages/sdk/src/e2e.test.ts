import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import { BrowserProvider } from 'ethers'
import {
  createPublicClient,
  createWalletClient,
  custom,
  http,
  parseEther,
  parseTransaction,
  recoverTransactionAddress,
  toHex,
  verifyMessage,
  verifyTypedData,
} from 'viem'
import { type Account, privateKeyToAccount, toAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, type Dapp } from './index.js'
import { createWallet, type Wallet, type WalletRequest } from './wallet/index.js'

const dappMeta = { name: 'E2E dApp', url: 'https://dapp.example' }
const walletMeta = { name: 'E2E Wallet', url: 'https://wallet.example' }

let relay: Relay
let chainA: Anvil
let chainB: Anvil
const cleanup: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  ;[relay, chainA, chainB] = await Promise.all([
    createRelay({ port: 0 }),
    startAnvil({ chainId: 31337 }),
    startAnvil({ chainId: 31338 }),
  ])
})
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
})
afterAll(async () => {
  await Promise.all([relay?.close(), chainA?.stop(), chainB?.stop()])
})

const typedData = {
  domain: {
    name: 'Pairline Test',
    version: '1',
    chainId: 31337,
    verifyingContract: '0x0000000000000000000000000000000000000001',
  },
  types: {
    Mail: [
      { name: 'from', type: 'address' },
      { name: 'contents', type: 'string' },
    ],
  },
  primaryType: 'Mail',
  message: { from: '0x70997970C51812dc3A010C7d01b50e0d17dc79C8', contents: 'hello' },
} as const

function setup(account: Account = privateKeyToAccount(ANVIL_KEYS[0]), more: Account[] = []) {
  const dapp: Dapp = createDapp({
    relayUrl: relay.url,
    metadata: dappMeta,
    chains: [31337],
    optionalChains: [31338],
    rpcUrls: { 31337: chainA.rpcUrl, 31338: chainB.rpcUrl },
  })
  const wallet: Wallet = createWallet({
    metadata: walletMeta,
    accounts: [account, ...more],
    chains: [31337, 31338],
    transports: { 31337: http(chainA.rpcUrl), 31338: http(chainB.rpcUrl) },
  })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  return { dapp, wallet, account }
}

async function connect(account?: Account, more: Account[] = []) {
  const { dapp, wallet } = setup(account, more)
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  expect(proposal.sas).toMatch(/^\d{6}$/)
  expect(proposal.sas).toBe(await pairing.sas)
  expect(proposal.peer).toEqual(dappMeta)
  const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
  return { dapp, wallet, pairing, proposal, wsession, session }
}

describe('dApp and wallet through a real relay, on anvil', () => {
  it('pairs, then signs, sends a transaction and switches chain through viem', async () => {
    const { wsession, session } = await connect()
    const seen: string[] = []
    wsession.on('request', (req) => {
      seen.push(req.method)
      void req.approve().catch(() => {})
    })
    const address = session.accounts[0]!
    expect(address).toBe(privateKeyToAccount(ANVIL_KEYS[0]).address)
    expect(session.peer).toEqual(walletMeta)
    const client = createWalletClient({ account: address, transport: custom(session.provider) })

    const signature = await client.signMessage({ message: 'hello pairline' })
    expect(await verifyMessage({ address, message: 'hello pairline', signature })).toBe(true)

    const typedSig = await client.signTypedData(typedData)
    expect(await verifyTypedData({ address, ...typedData, signature: typedSig })).toBe(true)

    const publicA = createPublicClient({ transport: http(chainA.rpcUrl) })
    const to = privateKeyToAccount(ANVIL_KEYS[1]).address
    const before = await publicA.getBalance({ address: to })
    const hash = await client.sendTransaction({ to, value: parseEther('1.5'), chain: null })
    const receipt = await publicA.waitForTransactionReceipt({ hash })
    expect(receipt.status).toBe('success')
    expect((await publicA.getBalance({ address: to })) - before).toBe(parseEther('1.5'))

    // read-only calls go to the dApp's own RPC, not the wallet
    expect(await session.provider.request({ method: 'eth_blockNumber' })).toMatch(/^0x/)

    const chainChanged = new Promise((r) => session.provider.on('chainChanged', r as never))
    await client.switchChain({ id: 31338 })
    expect(await chainChanged).toBe(toHex(31338))
    expect(await session.provider.request({ method: 'eth_chainId' })).toBe(toHex(31338))
    expect(seen).toEqual([
      'personal_sign',
      'eth_signTypedData_v4',
      'eth_sendTransaction',
      'wallet_switchEthereumChain',
    ])
  })

  it('works with ethers v6 BrowserProvider', async () => {
    const { wsession, session } = await connect()
    wsession.on('request', (req) => void req.approve().catch(() => {}))
    const provider = new BrowserProvider(session.provider)
    const signer = await provider.getSigner()
    const sig = await signer.signMessage('hello ethers')
    expect(
      await verifyMessage({
        address: session.accounts[0]!,
        message: 'hello ethers',
        signature: sig as `0x${string}`,
      }),
    ).toBe(true)
  })

  it('signs with a toAccount signer whose key the SDK has no path to', async () => {
    const hidden = privateKeyToAccount(ANVIL_KEYS[0])
    const calls: string[] = []
    // The SDK only ever sees these three functions: the key stays in `hidden`'s closure.
    const account = toAccount({
      address: hidden.address,
      signMessage: (a) => {
        calls.push('message')
        return hidden.signMessage(a)
      },
      signTypedData: (a) => {
        calls.push('typed')
        return hidden.signTypedData(a as never)
      },
      signTransaction: (tx, o) => {
        calls.push('tx')
        return hidden.signTransaction(tx, o as never)
      },
    })
    const { wsession, session } = await connect(account)
    wsession.on('request', (req) => void req.approve().catch(() => {}))
    const client = createWalletClient({ account: session.accounts[0]!, transport: custom(session.provider) })
    const signature = await client.signMessage({ message: 'isolated' })
    expect(await verifyMessage({ address: hidden.address, message: 'isolated', signature })).toBe(true)
    const hash = await client.sendTransaction({ to: hidden.address, value: 1n, chain: null })
    const receipt = await createPublicClient({ transport: http(chainA.rpcUrl) }).waitForTransactionReceipt({
      hash,
    })
    expect(receipt.status).toBe('success')
    expect(calls).toEqual(['message', 'tx'])
    // Nothing the SDK was given holds a private key.
    expect(JSON.stringify(Object.keys(account))).not.toMatch(/key/i)
  })

  it('a rejected request is 4001 on the dApp; an unsupported method 4200; an unapproved one 4100', async () => {
    const { wsession, session } = await connect()
    wsession.on('request', (req) => void req.reject())
    const client = createWalletClient({ account: session.accounts[0]!, transport: custom(session.provider) })
    await expect(client.signMessage({ message: 'no' })).rejects.toMatchObject({ code: 4001 })
    await expect(session.provider.request({ method: 'eth_coinbase_magic' })).rejects.toMatchObject({
      code: 4200,
    })
    await expect(
      session.provider.request({ method: 'wallet_switchEthereumChain', params: [{ chainId: '0x1' }] }),
    ).rejects.toMatchObject({ code: 4902 })
  })

  it('the wallet rejecting the pairing rejects `approved` with USER_REJECTED', async () => {
    const { dapp, wallet } = setup()
    const pairing = await dapp.pair()
    const proposal = await wallet.pair(pairing.uri)
    await proposal.reject('codes differ')
    await expect(pairing.approved).rejects.toMatchObject({ code: 'USER_REJECTED' })
  })

  it('disconnect reaches the other side, both ways', async () => {
    const a = await connect()
    const onWallet = new Promise((r) => a.wsession.once('disconnect', r))
    await a.session.disconnect()
    expect(await onWallet).toMatchObject({ code: 4900 })
    await expect(a.session.provider.request({ method: 'eth_accounts' })).rejects.toMatchObject({ code: 4900 })

    const b = await connect()
    const onDapp = new Promise((r) => b.session.provider.on('disconnect', r as never))
    await b.wsession.disconnect()
    expect(await onDapp).toMatchObject({ code: 4900 })
  })

  it('a request past its expiry is never shown to the wallet, and the dApp gets 8000', async () => {
    const dapp = createDapp({
      relayUrl: relay.url,
      metadata: dappMeta,
      chains: [31337],
      requestTtlSeconds: 3,
    })
    // The wallet's clock runs 10 s ahead: every request reaches it already expired.
    const wallet = createWallet({
      metadata: walletMeta,
      accounts: [privateKeyToAccount(ANVIL_KEYS[0])],
      chains: [31337],
      now: () => Date.now() / 1000 + 10,
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
    const shown: string[] = []
    wsession.on('request', (req) => shown.push(req.method))
    const address = session.accounts[0]!
    await expect(
      session.provider.request({ method: 'personal_sign', params: ['0x68656c6c6f', address] }),
    ).rejects.toMatchObject({ code: 8000 })
    expect(shown).toEqual([])
  })

  it('a request that the wallet leaves unanswered expires on both sides', async () => {
    const dapp = createDapp({
      relayUrl: relay.url,
      metadata: dappMeta,
      chains: [31337],
      requestTtlSeconds: 1,
    })
    const { wallet } = setup()
    cleanup.push(() => dapp.close())
    const pairing = await dapp.pair()
    const [wsession, session] = await Promise.all([
      (await wallet.pair(pairing.uri)).approve(),
      pairing.confirm(),
    ])
    const shown: WalletRequest[] = []
    wsession.on('request', (req) => shown.push(req))
    const pending = session.provider.request({
      method: 'personal_sign',
      params: ['0x68', session.accounts[0]],
    })
    await expect(pending).rejects.toMatchObject({ code: 8000 })
    expect(shown).toHaveLength(1)
    // Approving after expiry: the expiry already answered it; the outcome says so (not "answered").
    expect(await shown[0]!.approve()).toMatchObject({
      status: 'expired',
      error: { code: 8000, shortMessage: 'The request expired before it was approved.' },
    })
  })

  it('eth_signTransaction returns a transaction signed by the account, not broadcast', async () => {
    const { wsession, session } = await connect()
    wsession.on('request', (req) => void req.approve().catch(() => {}))
    const from = session.accounts[0]!
    const to = privateKeyToAccount(ANVIL_KEYS[1]).address
    const raw = (await session.provider.request({
      method: 'eth_signTransaction',
      params: [{ from, to, value: toHex(parseEther('0.25')) }],
    })) as `0x${string}`
    const tx = parseTransaction(raw)
    expect(tx.to?.toLowerCase()).toBe(to.toLowerCase())
    expect(tx.value).toBe(parseEther('0.25'))
    expect(tx.chainId).toBe(31337)
    expect(await recoverTransactionAddress({ serializedTransaction: raw as never })).toBe(from)
  })

  it('accountsChanged from the wallet reaches the provider; each address once on both sides', async () => {
    const [a, b] = [privateKeyToAccount(ANVIL_KEYS[0]), privateKeyToAccount(ANVIL_KEYS[1])]
    const { wsession, session } = await connect(a, [b])
    // two chains approved, two accounts: four CAIP-10 ids on the wire, two addresses in the API
    expect(session.accounts).toEqual([a.address, b.address])
    expect(wsession.accounts).toEqual([a.address, b.address])
    expect(await session.provider.request({ method: 'eth_requestAccounts' })).toEqual([a.address, b.address])
    const got = new Promise((r) => session.provider.on('accountsChanged', r as never))
    await wsession.setAccounts([b.address, b.address.toLowerCase() as `0x${string}`])
    expect(await got).toEqual([b.address])
    expect(wsession.accounts).toEqual([b.address])
    expect(await session.provider.request({ method: 'eth_accounts' })).toEqual([b.address])
    // the new account signs
    const client = createWalletClient({ account: b.address, transport: custom(session.provider) })
    wsession.on('request', (req) => void req.approve())
    const signature = await client.signMessage({ message: 'from b' })
    expect(await verifyMessage({ address: b.address, message: 'from b', signature })).toBe(true)
  })

  it('chain switching is announced to the dApp by the wallet', async () => {
    const { wsession, session } = await connect()
    const changed = new Promise((r) => session.on('chainChanged', r))
    await wsession.switchChain('eip155:31338')
    expect(await changed).toBe('eip155:31338')
    expect(session.chainId).toBe('eip155:31338')
  })
})
