import { ANVIL_KEYS, type Anvil, startAnvil } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { pairSessions } from '@pairline/testkit/session'
import { createPublicClient, http, parseEther, type Transport } from 'viem'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DappSession } from './index.js'
import type { RequestOutcome, WalletOptions, WalletRequest } from './wallet/index.js'

/** Issue 10, observation 6: the wallet API is safe to use as the README shows it. */

const account = privateKeyToAccount(ANVIL_KEYS[0])
const relay = useRelay({ ignoreCleanupErrors: true })
let chain: Anvil
beforeAll(async () => {
  chain = await startAnvil({ chainId: 31337 })
})
afterAll(async () => {
  await chain?.stop()
})

/** http() to anvil, counting the transactions broadcast through it. */
function countingTransport(): { transport: Transport; broadcasts: () => number } {
  let n = 0
  const inner = http(chain.rpcUrl)
  const transport: Transport = (o) => {
    const t = inner(o)
    return {
      ...t,
      request: (async (args: { method: string }) => {
        if (args.method === 'eth_sendRawTransaction') n++
        return t.request(args as never)
      }) as never,
    }
  }
  return { transport, broadcasts: () => n }
}

async function connect(o: Partial<WalletOptions> = {}) {
  const { wsession, session } = await pairSessions(relay, {
    dapp: { metadata: { name: 'API dApp', url: 'https://dapp.example' }, chains: [31337] },
    wallet: {
      metadata: { name: 'API Wallet', url: 'https://wallet.example' },
      accounts: [account],
      chains: [31337],
      ...o,
    },
  })
  return { wsession, session }
}

type Failure = { code: number; shortMessage: string; message: string }
const asError = (e: unknown) => e as Failure
const send = (s: DappSession, tx: object) =>
  s.provider.request({ method: 'eth_sendTransaction', params: [tx] })
const nonce = () =>
  createPublicClient({ transport: http(chain.rpcUrl) }).getTransactionCount({ address: account.address })

describe('issue 10, observation 6: the wallet API', () => {
  it.each([2, 10])('%i concurrent approve() of one transaction: one execution, one broadcast', async (n) => {
    const { transport, broadcasts } = countingTransport()
    const { wsession, session } = await connect({ transports: { 31337: transport } })
    const before = await nonce()
    const shown = new Promise<WalletRequest>((r) => wsession.once('request', r))
    const to = privateKeyToAccount(generatePrivateKey()).address
    const hash = send(session, { from: account.address, to, value: `0x${parseEther('0.001').toString(16)}` })
    const request = await shown
    const outcomes = await Promise.all(Array.from({ length: n }, () => request.approve()))
    expect(new Set(outcomes).size).toBe(1) // every call resolves with the first call's outcome
    expect(outcomes[0]).toMatchObject({ status: 'executed', result: await hash })
    expect(await request.reject()).toBe(outcomes[0]) // a later reject() too
    expect(broadcasts()).toBe(1)
    // anvil mines on its own schedule after eth_sendRawTransaction returns: wait for the block, then count
    await createPublicClient({ transport: http(chain.rpcUrl) }).waitForTransactionReceipt({
      hash: (await hash) as `0x${string}`,
      pollingInterval: 50,
    })
    expect((await nonce()) - before).toBe(1)
  })

  it('approve() after expiry is "expired", after a disconnect "ended": never "already answered"', async () => {
    const { wsession, session } = await connect()
    const shown = new Promise<WalletRequest>((r) => wsession.once('request', r))
    const pending = session.provider.request({ method: 'personal_sign', params: ['0x68', account.address] })
    pending.catch(() => {})
    const request = await shown
    await wsession.disconnect()
    expect(await request.approve()).toMatchObject({
      status: 'ended',
      error: { code: 4900, pairlineCode: 'DISCONNECTED', shortMessage: 'The session has ended.' },
    })
    await expect(pending).rejects.toMatchObject({ code: 8001, pairlineCode: 'REQUEST_OUTCOME_UNKNOWN' })
  })

  it('the README handler leaks no rejection when execution fails; the dApp gets mapped codes, safe messages', async () => {
    const poor = privateKeyToAccount(generatePrivateKey()) // no ETH on anvil
    const stranger = privateKeyToAccount(generatePrivateKey()).address
    const outcomes: RequestOutcome[] = []
    const a = await connect({ accounts: [poor], transports: { 31337: http(chain.rpcUrl) } })
    const b = await connect({ accounts: [account] }) // no transport for the chain
    for (const { wsession } of [a, b])
      wsession.on('request', async (req) => {
        outcomes.push(await req.approve()) // as in the README: nothing to catch
      })
    const value = `0x${parseEther('1').toString(16)}`
    const errors = (await Promise.all([
      send(a.session, { from: poor.address, to: stranger, value }).catch(asError),
      send(a.session, { from: stranger, to: stranger, value }).catch(asError),
      send(b.session, { from: account.address, to: stranger, value }).catch(asError),
    ])) as Failure[]
    expect(errors.map((e) => [e.code, e.shortMessage])).toEqual([
      [-32003, 'The chain refused the transaction.'],
      // refused before the user sees anything (§14.6): no outcome for the wallet app
      [4100, 'The request names an account this wallet did not approve.'],
      // a wallet without transports does not offer eth_sendTransaction: refused on the dApp
      [4200, 'The wallet does not offer eth_sendTransaction in this session.'],
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['failed'])
    // The wallet app gets the whole error, with viem's own as its cause; the dApp never sees that text.
    const insufficient = outcomes.find((o) => o.status === 'failed' && o.error.code === -32003)
    expect(insufficient && 'error' in insufficient && insufficient.error.cause).toBeDefined()
    expect(JSON.stringify(errors.map((e) => e.message))).not.toMatch(/viem|Version:|http:\/\//)
  })
})
