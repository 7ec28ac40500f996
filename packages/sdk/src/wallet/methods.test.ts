import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { pairSessions } from '@pairline/testkit/session'
import {
  createPublicClient,
  createWalletClient,
  custom,
  http,
  parseEther,
  recoverMessageAddress,
  recoverTypedDataAddress,
  toHex,
} from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { foundry } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DappSession } from '../index.js'
import type { WalletOptions, WalletRequest, WalletSession } from './index.js'

/** Issue 13: the EVM methods today's dApps call (docs/PROTOCOL.md §14.6). */

const alice = privateKeyToAccount(ANVIL_KEYS[0])
const [to1, to2] = [
  privateKeyToAccount(generatePrivateKey()).address,
  privateKeyToAccount(generatePrivateKey()).address,
]
const relay = useRelay({ ignoreCleanupErrors: true })
let chain: Anvil
beforeAll(async () => {
  chain = await startAnvil({ chainId: 31337 })
})
afterAll(async () => {
  await chain?.stop()
})

async function connect(o: Partial<WalletOptions> = {}) {
  const { wsession, session } = await pairSessions(relay, {
    dapp: { metadata: { name: 'Methods dApp', url: 'https://dapp.example' }, chains: [31337] },
    wallet: {
      metadata: { name: 'Methods Wallet', url: 'https://wallet.example' },
      accounts: [alice],
      chains: [31337],
      transports: { 31337: http(chain.rpcUrl) },
      ...o,
    },
  })
  const client = createWalletClient({
    account: alice.address,
    chain: foundry,
    transport: custom(session.provider),
  })
  return { wsession, session, client }
}

function approveAll(wsession: WalletSession): WalletRequest[] {
  const shown: WalletRequest[] = []
  wsession.on('request', (r) => {
    shown.push(r)
    void r.approve()
  })
  return shown
}

const call = (s: DappSession, method: string, params: unknown) => s.provider.request({ method, params })
const balance = (address: `0x${string}`) =>
  createPublicClient({ transport: http(chain.rpcUrl) }).getBalance({ address })

describe('EIP-5792 calls', () => {
  it('viem sendCalls + waitForCallsStatus: shown as one batch, sent one by one, status honest', async () => {
    const { wsession, client } = await connect()
    const shown = approveAll(wsession)
    expect(await client.getCapabilities()).toEqual({ 31337: { atomic: { status: 'unsupported' } } })
    const { id } = await client.sendCalls({
      calls: [
        { to: to1, value: parseEther('0.5') },
        { to: to2, value: parseEther('0.25'), data: '0x' },
      ],
    })
    expect(shown.map((r) => r.view)).toEqual([
      {
        kind: 'calls',
        method: 'wallet_sendCalls',
        account: alice.address,
        chainId: 31337,
        calls: [
          { to: to1, contractCreation: false, value: parseEther('0.5'), data: '0x' },
          { to: to2, contractCreation: false, value: parseEther('0.25'), data: '0x' },
        ],
      },
    ])
    const status = await client.waitForCallsStatus({ id, pollingInterval: 50 })
    expect(status).toMatchObject({ status: 'success', statusCode: 200, atomic: false, chainId: 31337 })
    expect(status.receipts?.map((r) => r.status)).toEqual(['success', 'success'])
    expect([await balance(to1), await balance(to2)]).toEqual([parseEther('0.5'), parseEther('0.25')])

    // shown to the user on request
    await client.showCallsStatus({ id })
    expect(shown[1]?.view).toEqual({ kind: 'callsStatus', id })
  })

  it('atomicRequired, a required capability, another chain or an unknown id: refused unseen, EIP-5792 codes', async () => {
    const { wsession, session, client } = await connect()
    const shown = approveAll(wsession)
    const atomic = (await client
      .sendCalls({ forceAtomic: true, calls: [{ to: to1, value: 1n }] })
      .catch((e: unknown) => e)) as { walk(fn: (e: unknown) => boolean): unknown }
    // viem wraps the provider's error (a TransactionExecutionError); the wallet's is its cause
    expect(atomic.walk((e) => (e as { code?: number }).code === 5760)).toMatchObject({
      name: 'AtomicityNotSupportedError', // viem knows EIP-5792's code
      code: 5760,
      details: expect.stringMatching(
        /^The wallet cannot send calls atomically: its account sends them one by one\./,
      ),
    })
    const batch = (over: object) => [
      { version: '2.0.0', chainId: toHex(31337), atomicRequired: false, calls: [{ to: to1 }], ...over },
    ]
    await expect(
      call(session, 'wallet_sendCalls', batch({ capabilities: { paymasterService: { url: 'https://x' } } })),
    ).rejects.toMatchObject({
      code: 5700,
      shortMessage: 'The wallet does not support the capability paymasterService.',
    })
    await expect(call(session, 'wallet_sendCalls', batch({ chainId: '0x1' }))).rejects.toMatchObject({
      code: 5710,
      shortMessage: 'The calls are for chain 1; this request is for chain 31337.',
    })
    await expect(call(session, 'wallet_getCallsStatus', ['0xnope'])).rejects.toMatchObject({
      code: 5730,
      shortMessage: 'The wallet sent no batch of calls with that id.',
    })
    expect(shown).toEqual([])
  })
})

describe('watchAsset, eth_signTypedData_v3, eth_sign', () => {
  it('wallet_watchAsset reaches the wallet as a view; approving answers true', async () => {
    const { wsession, client } = await connect()
    const shown = approveAll(wsession)
    const token = '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48'
    expect(
      await client.watchAsset({ type: 'ERC20', options: { address: token, symbol: 'USDC', decimals: 6 } }),
    ).toBe(true)
    expect(shown[0]?.view).toEqual({
      kind: 'watchAsset',
      type: 'ERC20',
      address: token,
      symbol: 'USDC',
      decimals: 6,
    })
  })

  it('eth_signTypedData_v3: signed as shown; array types refused', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    const typed = {
      domain: { name: 'Old dApp', version: '1', chainId: 31337 },
      types: { Mail: [{ name: 'contents', type: 'string' }] },
      primaryType: 'Mail' as const,
      message: { contents: 'hello v3' },
    }
    const signature = (await call(session, 'eth_signTypedData_v3', [
      alice.address,
      JSON.stringify(typed),
    ])) as `0x${string}`
    expect(await recoverTypedDataAddress({ ...typed, signature })).toBe(alice.address)
    expect(shown[0]?.view).toMatchObject({
      kind: 'typedData',
      method: 'eth_signTypedData_v3',
      primaryType: 'Mail',
    })
    const arrays = { ...typed, types: { Mail: [{ name: 'to', type: 'address[]' }] }, message: { to: [] } }
    await expect(
      call(session, 'eth_signTypedData_v3', [alice.address, JSON.stringify(arrays)]),
    ).rejects.toMatchObject({
      code: -32602,
      shortMessage: 'eth_signTypedData_v3 has no array types: use eth_signTypedData_v4.',
    })
    expect(shown).toHaveLength(1)
  })

  it('eth_sign is not offered by default (4200 naming it); enabled, it signs the bytes as EIP-191, flagged hash-like', async () => {
    const off = await connect()
    const shownOff = approveAll(off.wsession)
    const hash = toHex(new Uint8Array(32).fill(7))
    await expect(call(off.session, 'eth_sign', [alice.address, hash])).rejects.toMatchObject({
      code: 4200,
      shortMessage: 'The wallet does not offer eth_sign in this session.',
    })
    expect(shownOff).toEqual([])

    const on = await connect({ ethSign: true })
    const shownOn = approveAll(on.wsession)
    const signature = (await call(on.session, 'eth_sign', [alice.address, hash])) as `0x${string}`
    expect(await recoverMessageAddress({ message: { raw: hash }, signature })).toBe(alice.address)
    expect(shownOn[0]?.view).toEqual({
      kind: 'message',
      method: 'eth_sign',
      account: alice.address,
      raw: hash,
      hashLike: true,
    })
  })

  it('a method Pairline does not know is 4200, naming it, before anything is sent', async () => {
    const { wsession, session } = await connect()
    const shown = approveAll(wsession)
    await expect(call(session, 'eth_coinbase_magic', [])).rejects.toMatchObject({
      code: 4200,
      shortMessage: 'Pairline does not support eth_coinbase_magic.',
    })
    expect(shown).toEqual([])
  })
})
