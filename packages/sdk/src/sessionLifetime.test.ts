import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDapp, type PairlineError } from './index.js'
import { createWallet } from './wallet/index.js'

// docs/PROTOCOL.md §14.2 "Session expiry": at most 7 days from now, enforced by both sides.
const DAY = 86_400
const WEEK = 7 * DAY
const account = privateKeyToAccount(ANVIL_KEYS[0])
const dappMeta = { name: 'Lifetime dApp', url: 'https://dapp.example' }
const walletMeta = { name: 'Lifetime Wallet', url: 'https://wallet.example' }

let relay: Relay
const cleanup: (() => Promise<unknown>)[] = []
beforeAll(async () => {
  relay = await createRelay({ port: 0 })
})
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f().catch(() => {})
})
afterAll(async () => {
  await relay.close()
})

async function paired(dappNow: () => number, walletNow: () => number) {
  const dapp = createDapp({ relayUrl: relay.url, metadata: dappMeta, chains: [31337], now: dappNow })
  const wallet = createWallet({ metadata: walletMeta, accounts: [account], chains: [31337], now: walletNow })
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
  )
  const pairing = await dapp.pair()
  const proposal = await wallet.pair(pairing.uri)
  const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
  return { proposal, wsession, session }
}

describe('session lifetime', () => {
  it('a proposal longer than 7 days from the wallet’s now is narrowed to 7 days on both sides', async () => {
    const t = Math.floor(Date.now() / 1000)
    // The dApp's clock is a day ahead: its default 7-day proposal ends 8 days after the wallet's now.
    const { proposal, wsession, session } = await paired(
      () => t + DAY,
      () => t,
    )
    expect(proposal.expiresAt).toBe(t + WEEK)
    expect(wsession.expiresAt).toBe(t + WEEK)
    expect(session.expiresAt).toBe(t + WEEK)
  })

  it('createDapp refuses a sessionTtlSeconds over 7 days', () => {
    expect(() =>
      createDapp({ relayUrl: relay.url, metadata: dappMeta, chains: [31337], sessionTtlSeconds: WEEK + 1 }),
    ).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        shortMessage: 'sessionTtlSeconds must be 1 to 604800 (7 days).',
        details: 'got 604801',
      }),
    )
  })

  it('the wallet refuses extend() beyond 7 days and changes nothing', async () => {
    const t = Math.floor(Date.now() / 1000)
    const { wsession, session } = await paired(
      () => t,
      () => t,
    )
    const before = wsession.expiresAt
    await expect(wsession.extend(WEEK + 1)).rejects.toMatchObject({
      code: 'EXPIRY_REFUSED',
      shortMessage: 'The new expiry is more than 7 days away.',
      details: `expiresAt ${t + WEEK + 1} is after ${t + WEEK}`,
    })
    await expect(wsession.extend(0)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      shortMessage: 'extend() takes a whole number of seconds above 0.',
    })
    expect(wsession.expiresAt).toBe(before)
    // Nothing was sent: the next extend is the first the dApp sees.
    const extended = new Promise<number>((r) => session.once('extended', r))
    await wsession.extend(3600)
    expect(await extended).toBe(t + 3600)
  })

  it('the dApp refuses an extend beyond 7 days (EXPIRY_REFUSED) and keeps its expiry', async () => {
    const t = Math.floor(Date.now() / 1000)
    let walletOffset = 0
    const { wsession, session } = await paired(
      () => t,
      () => t + walletOffset,
    )
    const before = session.expiresAt
    const seen: number[] = []
    session.on('extended', (e) => seen.push(e))
    // A wallet whose clock runs a day ahead (or a hostile one) extends to 8 days after the dApp's now.
    walletOffset = DAY
    const refused = new Promise<PairlineError>((r) => session.once('error', r))
    await wsession.extend(WEEK)
    expect(await refused).toMatchObject({
      code: 'EXPIRY_REFUSED',
      shortMessage: 'The wallet’s extend is more than 7 days away.',
      details: `expiresAt ${t + DAY + WEEK} is after ${t + WEEK + 300}`,
    })
    expect(session.expiresAt).toBe(before)
    expect(seen).toEqual([])
    // Within the bound (and the 300 s allowed for clock skew) an extend is applied.
    walletOffset = 300
    const extended = new Promise<number>((r) => session.once('extended', r))
    await wsession.extend(WEEK)
    expect(await extended).toBe(t + 300 + WEEK)
    expect(session.expiresAt).toBe(t + 300 + WEEK)
  })
})
