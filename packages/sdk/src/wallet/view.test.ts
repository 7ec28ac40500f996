import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { pairSessions } from '@pairline/testkit/session'
import { BrowserProvider } from 'ethers'
import {
  createPublicClient,
  createWalletClient,
  custom,
  encodeFunctionData,
  hashTypedData,
  http,
  parseAbi,
  parseTransaction,
  recoverMessageAddress,
  recoverTransactionAddress,
  recoverTypedDataAddress,
  serializeTypedData,
  toHex,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DappSession } from '../index.js'
import type { WalletOptions, WalletRequest, WalletSession } from './index.js'

/** Issue 13: the wallet shows exactly what it signs (docs/PROTOCOL.md §14.6). */

const [alice, bob] = [privateKeyToAccount(ANVIL_KEYS[0]), privateKeyToAccount(ANVIL_KEYS[1])]
const stranger = privateKeyToAccount(generatePrivateKey()).address
const relay = useRelay({ ignoreCleanupErrors: true })
let chain: Anvil
beforeAll(async () => {
  chain = await startAnvil({ chainId: 31337 })
})
afterAll(async () => {
  await chain?.stop()
})

/** A session on 31337 (and 31338), approved for alice only; the wallet also holds bob. */
async function connect(o: Partial<WalletOptions> = {}) {
  const { wsession, session } = await pairSessions(relay, {
    dapp: {
      metadata: { name: 'View dApp', url: 'https://dapp.example' },
      chains: [31337],
      optionalChains: [31338],
    },
    wallet: {
      metadata: { name: 'View Wallet', url: 'https://wallet.example' },
      accounts: [alice, bob],
      chains: [31337, 31338],
      transports: { 31337: http(chain.rpcUrl) },
      ...o,
    },
    approve: { accounts: [alice.address] },
  })
  return { wsession, session }
}

/** Every request the wallet shows, approved; the list of what was shown. */
function approveAll(wsession: WalletSession): WalletRequest[] {
  const shown: WalletRequest[] = []
  wsession.on('request', (r) => {
    shown.push(r)
    void r.approve()
  })
  return shown
}

const call = (s: DappSession, method: string, params: unknown) => s.provider.request({ method, params })
const permit = (chainId: number) => ({
  domain: {
    name: 'USD Coin',
    version: '2',
    chainId,
    verifyingContract: '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48' as const,
  },
  types: {
    Permit: [
      { name: 'owner', type: 'address' },
      { name: 'spender', type: 'address' },
      { name: 'value', type: 'uint256' },
      { name: 'nonce', type: 'uint256' },
      { name: 'deadline', type: 'uint256' },
    ],
  },
  primaryType: 'Permit' as const,
  message: {
    owner: alice.address,
    spender: stranger,
    value: 2n ** 255n,
    nonce: 0n,
    deadline: 2n ** 40n,
  },
})
const erc20 = parseAbi(['function transfer(address to, uint256 amount) returns (bool)'])
const calldata = encodeFunctionData({ abi: erc20, functionName: 'transfer', args: [stranger, 1000n] })

describe('the request view (§14.6)', () => {
  it('calldata in `input`: the view shows it, and the signer signs those bytes', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    const raw = (await call(session, 'eth_signTransaction', [
      { from: alice.address, to: stranger, value: '0x5', input: calldata },
    ])) as `0x${string}`
    expect(shown[0]?.view).toEqual({
      kind: 'transaction',
      method: 'eth_signTransaction',
      account: alice.address,
      chainId: 31337,
      to: stranger,
      contractCreation: false,
      value: 5n,
      data: calldata,
    })
    const tx = parseTransaction(raw)
    expect([tx.data, tx.to, tx.value, tx.chainId]).toEqual([calldata, stranger.toLowerCase(), 5n, 31337])
    expect(await recoverTransactionAddress({ serializedTransaction: raw as never })).toBe(alice.address)

    // sent on anvil: the chain has the same input
    const hash = (await call(session, 'eth_sendTransaction', [
      { to: stranger, input: calldata },
    ])) as `0x${string}`
    const mined = await createPublicClient({ transport: http(chain.rpcUrl) }).getTransaction({ hash })
    expect(mined.input).toBe(calldata)
    expect(shown[1]?.view).toMatchObject({ kind: 'transaction', account: alice.address, data: calldata })
  })

  it('a transaction whose data and input differ, or for another chain, is refused unseen', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    await expect(
      call(session, 'eth_sendTransaction', [{ to: stranger, data: calldata, input: '0x' }]),
    ).rejects.toMatchObject({
      code: -32602,
      shortMessage: 'The transaction has both data and input, and they differ.',
    })
    await expect(
      call(session, 'eth_sendTransaction', [{ to: stranger, value: '0x1', chainId: '0x1' }]),
    ).rejects.toMatchObject({
      code: -32602,
      shortMessage: 'The transaction is for chain 1; this request is for chain 31337.',
    })
    expect(shown).toEqual([])
  })

  it('a typed-data permit for chain 1 in a 31337 session is refused before the request event (viem and ethers)', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    const client = createWalletClient({ account: alice.address, transport: custom(session.provider) })
    await expect(client.signTypedData(permit(1))).rejects.toMatchObject({
      code: -32602,
      details: expect.stringMatching(/^The typed data is for chain 1; this request is for chain 31337\./),
    })
    const signer = await new BrowserProvider(session.provider).getSigner(alice.address)
    const { domain, types, message } = permit(1)
    await expect(signer.signTypedData(domain, types, message)).rejects.toMatchObject({
      error: {
        code: -32602,
        message: expect.stringMatching(/^The typed data is for chain 1; this request is for chain 31337\./),
      },
    })
    expect(shown).toEqual([])

    // the same permit for the session's chain: shown as decoded, signed as shown
    const signature = await client.signTypedData(permit(31337))
    const view = shown[0]?.view
    expect(view).toMatchObject({
      kind: 'typedData',
      method: 'eth_signTypedData_v4',
      account: alice.address,
      primaryType: 'Permit',
      domain: { name: 'USD Coin', version: '2', chainId: 31337 },
      hash: hashTypedData(permit(31337)),
    })
    expect(await recoverTypedDataAddress({ ...permit(31337), signature })).toBe(alice.address)
  })

  it('a request for an account the session did not approve is refused before the request event', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    const refusal = {
      code: 4100,
      shortMessage: 'The request names an account this wallet did not approve.',
    }
    // bob: the wallet holds his key, but this session shares only alice
    for (const address of [bob.address, stranger]) {
      await expect(call(session, 'personal_sign', ['0x68', address])).rejects.toMatchObject(refusal)
      await expect(
        call(session, 'eth_signTypedData_v4', [address, serializeTypedData(permit(31337))]),
      ).rejects.toMatchObject(refusal)
      await expect(
        call(session, 'eth_sendTransaction', [{ from: address, to: stranger }]),
      ).rejects.toMatchObject(refusal)
    }
    expect(shown).toEqual([])
  })

  it('personal_sign: text or bytes, 32 bytes flagged hash-like; the signature is over the view’s bytes', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    const client = createWalletClient({ account: alice.address, transport: custom(session.provider) })
    const hashLike = toHex(new Uint8Array(32).fill(0xab))
    const signatures = [
      await client.signMessage({ message: 'Sign in to View dApp' }),
      await client.signMessage({ message: { raw: hashLike } }),
      (await call(session, 'personal_sign', ['plain text, not hex', alice.address])) as `0x${string}`,
    ]
    expect(shown.map((r) => r.view)).toEqual([
      {
        kind: 'message',
        method: 'personal_sign',
        account: alice.address,
        raw: toHex('Sign in to View dApp'),
        text: 'Sign in to View dApp',
        hashLike: false,
      },
      { kind: 'message', method: 'personal_sign', account: alice.address, raw: hashLike, hashLike: true },
      {
        kind: 'message',
        method: 'personal_sign',
        account: alice.address,
        raw: toHex('plain text, not hex'),
        text: 'plain text, not hex',
        hashLike: false,
      },
    ])
    for (const [i, signature] of signatures.entries()) {
      const view = shown[i]?.view
      if (view?.kind !== 'message') throw new Error('not a message view')
      expect(await recoverMessageAddress({ message: { raw: view.raw }, signature })).toBe(alice.address)
    }
  })

  it('chain switch and add: views for approved chains; another chain is 4902, unseen', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    await expect(
      call(session, 'wallet_addEthereumChain', [{ chainId: '0x1', chainName: 'Ethereum', rpcUrls: [] }]),
    ).rejects.toMatchObject({ code: 4902, shortMessage: 'eip155:1 is not approved for this session.' })
    expect(shown).toEqual([])
    await call(session, 'wallet_addEthereumChain', [
      { chainId: toHex(31338), chainName: 'Second', rpcUrls: ['http://127.0.0.1:1'] },
    ])
    await call(session, 'wallet_switchEthereumChain', [{ chainId: toHex(31338) }])
    expect(shown.map((r) => r.view)).toEqual([
      {
        kind: 'addChain',
        chainId: 'eip155:31338',
        chainName: 'Second',
        rpcUrls: ['http://127.0.0.1:1'],
        blockExplorerUrls: [],
      },
      { kind: 'switchChain', chainId: 'eip155:31338' },
    ])
    expect(wsession.chainId).toBe('eip155:31338')
  })

  it('a wallet offers only what it can serve: no transport, no eth_sendTransaction (4200 on the dApp)', async () => {
    const { wsession, session } = await connect({ transports: {} })
    const shown = approveAll(wsession)
    expect(session.methods).not.toContain('eth_sendTransaction')
    expect(session.methods).toContain('personal_sign')
    await expect(
      call(session, 'eth_sendTransaction', [{ from: alice.address, to: stranger }]),
    ).rejects.toMatchObject({
      code: 4200,
      shortMessage: 'The wallet does not offer eth_sendTransaction in this session.',
    })
    expect(shown).toEqual([])
  })
})
