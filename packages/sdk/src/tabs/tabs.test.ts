/**
 * The tabs' leader and follower sides in Node, over real BroadcastChannels (Node's own), with a
 * real relay and a real wallet. (createTabDapp's Web Lock election runs in Chromium:
 * examples/web-test/src/tabs.test.ts.)
 */
import { createRelay, type Relay } from '@pairline/relay'
import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { privateKeyToAccount } from 'viem/accounts'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createDapp } from '../dapp/createDapp.js'
import type { Dapp } from '../dapp/types.js'
import { createWallet, type Wallet } from '../wallet/index.js'
import { Follower } from './follower.js'
import { createTabDapp } from './index.js'
import { Leader } from './leader.js'
import type { TabMessage } from './messages.js'
import { TabSession } from './session.js'

const account = privateKeyToAccount(ANVIL_KEYS[0])
let relay: Relay
let wallet: Wallet
const cleanup: (() => unknown)[] = []

beforeAll(async () => {
  relay = await createRelay({ port: 0 })
  wallet = createWallet({
    metadata: { name: 'W', url: 'https://w.example' },
    accounts: [account],
    chains: [1],
  })
})
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f()
})
afterAll(async () => {
  await wallet?.close()
  await relay?.close()
})

/** A leader (with a real Dapp) and a follower, each on its own end of one BroadcastChannel name. */
function tabs(name: string): { dapp: Dapp; follower: Follower; sessions: Map<string, TabSession> } {
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: { name: 'D', url: 'https://d.example' },
    chains: [1],
  })
  const leaderEnd = new BroadcastChannel(name)
  const followerEnd = new BroadcastChannel(name)
  const leader = new Leader(dapp, { post: (m) => leaderEnd.postMessage(m), local: () => {} })
  leaderEnd.onmessage = (e) => leader.handle(e.data as TabMessage)
  const sessions = new Map<string, TabSession>()
  const follower: Follower = new Follower(
    (m) => followerEnd.postMessage(m),
    (snap) => {
      const s = sessions.get(snap.id) ?? new TabSession(snap, follower, {}, 'https://d.example')
      sessions.set(snap.id, s)
      return s
    },
  )
  followerEnd.onmessage = (e) => {
    const m = e.data as TabMessage
    if (m.t === 'ev') sessions.get(m.id)?.apply(m.name, m.arg, m.snap)
    else follower.handle(m)
  }
  cleanup.push(
    () => leaderEnd.close(),
    () => followerEnd.close(),
    () => dapp.close(),
  )
  return { dapp, follower, sessions }
}

describe('tabs: a follower through the leader', () => {
  it('pairs (code from the leader), requests once, and sees the wallet disconnect', async () => {
    const { dapp, follower } = tabs('t1')
    const pairing = await follower.pair()
    expect(pairing.uri).toMatch(/^pairline:1\?/)
    await expect(pairing.confirm()).rejects.toMatchObject({ code: 'HANDSHAKE_WRONG_STATE' })
    const proposal = await wallet.pair(pairing.uri)
    expect(await pairing.sas).toBe(proposal.sas)
    const [ws, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    expect(session.accounts).toEqual([account.address])
    expect(session.id).toBe(dapp.sessions[0]!.id)

    const shown: string[] = []
    let answer: 'approve' | 'reject' = 'approve'
    ws.on('request', (req) => {
      shown.push(req.method)
      void (answer === 'approve' ? req.approve() : req.reject())
    })
    const signature = await session.provider.request({
      method: 'personal_sign',
      params: ['0x68690a', account.address],
    })
    expect(signature).toMatch(/^0x[0-9a-f]{130}$/)
    expect(shown).toEqual(['personal_sign'])

    answer = 'reject'
    await expect(session.request('personal_sign', ['0x00', account.address])).rejects.toMatchObject({
      code: 4001,
      name: 'ProviderRpcError',
    })

    const ended = new Promise((r) => session.once('disconnect', r))
    await ws.disconnect('bye')
    expect(await ended).toEqual({ code: 4900, message: 'bye' })
    expect(session.ended).toBe(true)
    await expect(session.request('personal_sign', [])).rejects.toMatchObject({ code: 4900 })
  })

  it('a pairing the wallet rejects rejects in the follower with USER_REJECTED', async () => {
    const { follower } = tabs('t2')
    const pairing = await follower.pair()
    await (await wallet.pair(pairing.uri)).reject()
    await expect(pairing.approved).rejects.toMatchObject({ code: 'USER_REJECTED' })
    expect(pairing.state).toBe('failed')
  })

  it('when the leader goes, in-flight requests reject 8001 and pairings SESSION_CLOSED', async () => {
    const { follower } = tabs('t3')
    const pairing = await follower.pair()
    // a request the leader received but did not answer before its tab closed
    const inFlight = follower.request('no-such-id', 'personal_sign', [])
    follower.failAll()
    await expect(inFlight).rejects.toMatchObject({
      code: 8001,
      shortMessage: 'The tab that sent this request to the wallet was closed.',
    })
    await expect(pairing.approved).rejects.toMatchObject({
      code: 'SESSION_CLOSED',
      shortMessage: 'The tab that held this pairing was closed.',
    })
  })

  it('a request for a session the leader does not hold is 4900', async () => {
    const { follower } = tabs('t4')
    await expect(follower.request('gone', 'personal_sign', [])).rejects.toMatchObject({
      code: 4900,
      shortMessage: 'The session has ended.',
    })
  })

  it('without Web Locks (Node) createTabDapp is its own leader', async () => {
    const d = createTabDapp({
      relayUrl: relay.url,
      metadata: { name: 'D', url: 'https://d.example' },
      chains: [1],
    })
    cleanup.push(() => d.close())
    expect(await d.restoreSessions()).toEqual([])
    expect(d.role).toBe('leader')
    const pairing = await d.pair()
    const proposal = await wallet.pair(pairing.uri)
    const [, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    expect(session).toBeInstanceOf(TabSession)
    expect(d.sessions).toEqual([session])
    expect(session.accounts).toEqual([account.address])
  })

  it('pair({ signIn }) is refused, not dropped: the tabs share sessions without their sign-in', async () => {
    const d = createTabDapp({
      relayUrl: relay.url,
      metadata: { name: 'D', url: 'https://d.example' },
      chains: [1],
    })
    cleanup.push(() => d.close())
    // @ts-expect-error TabDapp.pair takes no options
    await expect(d.pair({ signIn: {} })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      shortMessage: 'createTabDapp does not sign in at connect: use createDapp for pair({ signIn }).',
    })
    const pairing = await d.pair() // nothing else changed: it still pairs
    expect(pairing.uri).toMatch(/^pairline:1\?/)
    pairing.cancel()
  })
})
