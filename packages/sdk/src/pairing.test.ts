import { ANVIL_KEYS } from '@pairline/testkit/anvil'
import { useRelay } from '@pairline/testkit/relay'
import { type ManualTimers, manualTimers } from '@pairline/testkit/timers'
import { toHex, verifyMessage } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { createDapp } from './dapp/createDapp.js'
import type { DappPairingState, Pairing } from './dapp/types.js'
import { decodeRecord } from './records/record.js'
import { memoryStorage, type Storage } from './storage/index.js'
import { createWallet } from './wallet/createWallet.js'

/**
 * Issue 9: the pairing as an attacker who saw the QR code tries it, with a third SDK client
 * through a real relay. Every deadline runs on an injected clock that only moves when a test says
 * so: an outcome that arrives while the clocks stand at 0 arrived without any timeout's help.
 */
const user = privateKeyToAccount(ANVIL_KEYS[0])
const thief = privateKeyToAccount(ANVIL_KEYS[1])
const relay = useRelay()
const { cleanup } = relay

function parties(storage: { dapp?: Storage; wallet?: Storage } = {}) {
  const clocks = { dapp: manualTimers(), wallet: manualTimers(), attacker: manualTimers() }
  const dapp = createDapp({
    relayUrl: relay.url,
    metadata: { name: 'Real dApp', url: 'https://dapp.example' },
    chains: [1],
    timers: clocks.dapp,
    ...(storage.dapp ? { storage: storage.dapp } : {}),
  })
  const walletFor = (name: string, account: typeof user, timers: ManualTimers, store?: Storage) =>
    createWallet({
      metadata: { name, url: 'https://wallet.example' },
      accounts: [account],
      chains: [1],
      timers,
      ...(store ? { storage: store } : {}),
    })
  const wallet = walletFor('Real Wallet', user, clocks.wallet, storage.wallet)
  const attacker = walletFor('MetaMask', thief, clocks.attacker) // a self-declared name, as the attacker likes
  cleanup.push(
    () => dapp.close(),
    () => wallet.close(),
    () => attacker.close(),
  )
  return { dapp, wallet, attacker, clocks, stopped: () => Object.values(clocks).every((c) => c.now === 0) }
}

/** Resolves when the pairing is in `state` (now or later). */
function reaches(p: Pairing, state: DappPairingState): Promise<void> {
  return new Promise((resolve) => {
    if (p.state === state) return resolve()
    const fn = (s: DappPairingState) => {
      if (s !== state) return
      p.off('state', fn)
      resolve()
    }
    p.on('state', fn)
  })
}

/** 'pending' if `p` has not settled once the event loop has run everything already queued. */
const status = (p: Promise<unknown>) =>
  Promise.race([
    p.then(
      () => 'settled',
      () => 'settled',
    ),
    new Promise((r) => setImmediate(() => r('pending'))),
  ])

const BURNED = {
  code: 'PAIRING_BURNED',
  shortMessage: 'This QR code was seen by someone else: nothing was connected. Pair again with a new code.',
}
const NO_ANSWER = {
  code: 'PAIRING_NO_ANSWER',
  shortMessage:
    'The dApp did not answer: the QR code may be damaged, expired or already used, or the dApp was closed. Ask the dApp for a new code.',
}

describe('numeric comparison on both screens', () => {
  it('attacker approves first, the real wallet never scans: nothing usable until the dApp user confirms; "codes differ" ends it; no request reaches the attacker', async () => {
    const { dapp, attacker } = parties()
    const pairing = await dapp.pair()
    const stolen = await attacker.pair(pairing.uri)
    expect(await pairing.sas).toBe(stolen.sas) // the attacker's own code: only the real wallet's screen differs
    const approving = stolen.approve()
    await reaches(pairing, 'walletConfirmed')
    expect(await status(pairing.approved)).toBe('pending')
    expect(await status(approving)).toBe('pending')
    expect(dapp.sessions).toEqual([])
    expect(attacker.sessions).toEqual([])
    expect(stolen.state).toBe('walletConfirmed')

    await pairing.reject() // the dApp's user: "my wallet shows no code / another code"
    await expect(pairing.approved).rejects.toMatchObject({
      code: 'USER_REJECTED',
      shortMessage: 'The codes did not match: the pairing was cancelled on the dApp.',
    })
    await expect(approving).rejects.toMatchObject({
      code: 'USER_REJECTED',
      shortMessage: 'The dApp’s user saw another code: nothing was connected.',
    })
    expect([pairing.state, stolen.state]).toEqual(['failed', 'failed'])
    expect(dapp.sessions).toEqual([])
    expect(attacker.sessions).toEqual([]) // no session, so no request can ever reach it
    await expect(pairing.confirm()).rejects.toMatchObject({ code: 'USER_REJECTED' })
  })

  it('the session exists only after both confirmations, in either order', async () => {
    for (const dappFirst of [true, false]) {
      const { dapp, wallet } = parties()
      const pairing = await dapp.pair()
      const proposal = await wallet.pair(pairing.uri)
      const first = dappFirst ? pairing.confirm() : proposal.approve()
      await reaches(pairing, dappFirst ? 'dappConfirmed' : 'walletConfirmed')
      expect(dapp.sessions).toEqual([])
      expect(wallet.sessions).toEqual([])
      const second = dappFirst ? proposal.approve() : pairing.confirm()
      await Promise.all([first, second])
      const session = await pairing.approved
      const wsession = await proposal.verified
      expect([pairing.state, proposal.state]).toEqual(['verified', 'verified'])
      expect(dapp.sessions).toEqual([session])
      expect(wallet.sessions).toEqual([wsession])
      expect(session.accounts).toEqual([user.address])
    }
  })

  it('a verified session is one write on each side, in either order: the dApp record holds the approval receipt and confirm', async () => {
    /** Memory storage that keeps the channel part of every record written. */
    const recording = () => {
      const inner = memoryStorage()
      const writes: unknown[] = []
      const storage: Storage = {
        ...inner,
        set: (key, value) => {
          const { json, secret } = decodeRecord<{ channel: object }>(value)
          secret.fill(0)
          writes.push(json.channel)
          return inner.set(key, value)
        },
      }
      return { storage, writes }
    }
    for (const dappFirst of [true, false]) {
      const [d, w] = [recording(), recording()]
      const { dapp, wallet } = parties({ dapp: d.storage, wallet: w.storage })
      const pairing = await dapp.pair()
      const proposal = await wallet.pair(pairing.uri)
      const first = dappFirst ? pairing.confirm() : proposal.approve()
      await reaches(pairing, dappFirst ? 'dappConfirmed' : 'walletConfirmed')
      await Promise.all([first, dappFirst ? proposal.approve() : pairing.confirm()])
      await proposal.verified // after the dApp's write: its confirm is sent only once written
      expect(d.writes).toMatchObject([
        { role: 'dapp', sendSeq: 1, recvSeq: 1, unacked: [{ seq: 1, body: { t: 'confirm' } }] },
      ])
      expect(w.writes).toMatchObject([{ role: 'wallet', sendSeq: 1, recvSeq: 1 }])
    }
  })

  it('confirm() before any wallet answered is HANDSHAKE_WRONG_STATE', async () => {
    const { dapp } = parties()
    const pairing = await dapp.pair()
    await expect(pairing.confirm()).rejects.toMatchObject({
      code: 'HANDSHAKE_WRONG_STATE',
      shortMessage: 'No wallet has answered yet: there is no code to confirm.',
    })
    expect(pairing.state).toBe('offered')
  })
})

describe('burned until verified', () => {
  it('attacker approves, then the real wallet scans: both real parties get PAIRING_BURNED at once; the attacker has nothing', async () => {
    const { dapp, wallet, attacker, stopped } = parties()
    const pairing = await dapp.pair()
    const stolen = await attacker.pair(pairing.uri)
    const approving = stolen.approve()
    await reaches(pairing, 'walletConfirmed')

    await expect(wallet.pair(pairing.uri)).rejects.toMatchObject(BURNED)
    await expect(pairing.approved).rejects.toMatchObject(BURNED)
    await expect(approving).rejects.toMatchObject(BURNED)
    expect(stopped()).toBe(true) // no deadline fired: the notices came on their own, not a timeout
    expect([pairing.state, stolen.state]).toEqual(['burned', 'burned'])
    expect([dapp.sessions, wallet.sessions, attacker.sessions]).toEqual([[], [], []])
    await expect(pairing.confirm()).rejects.toMatchObject(BURNED)
  })

  it('attacker and real wallet both answer before any approval: burned on both real sides, whoever came first', async () => {
    for (const attackerFirst of [true, false]) {
      const { dapp, wallet, attacker, stopped } = parties()
      const pairing = await dapp.pair()
      const [first, second] = attackerFirst ? [attacker, wallet] : [wallet, attacker]
      const proposal = await first.pair(pairing.uri)
      await expect(second.pair(pairing.uri)).rejects.toMatchObject(BURNED)
      await expect(pairing.approved).rejects.toMatchObject(BURNED)
      await expect(proposal.verified).rejects.toMatchObject(BURNED)
      await expect(proposal.approve()).rejects.toMatchObject(BURNED)
      expect(stopped()).toBe(true)
      expect([pairing.state, proposal.state]).toEqual(['burned', 'burned'])
      expect([dapp.sessions, wallet.sessions, attacker.sessions]).toEqual([[], [], []])
    }
  })
})

describe('spent after verification', () => {
  it('re-scan after verification: the session is untouched and still signs', async () => {
    const { dapp, wallet, attacker, clocks } = parties()
    const pairing = await dapp.pair()
    const proposal = await wallet.pair(pairing.uri)
    const [wsession, session] = await Promise.all([proposal.approve(), pairing.confirm()])
    wsession.on('request', (r) => void r.approve())
    const ended: unknown[] = []
    session.on('disconnect', (d) => ended.push(d))
    wsession.on('disconnect', (d) => ended.push(d))

    // The same wallet: refused at once, nothing sent.
    await expect(wallet.pair(pairing.uri)).rejects.toMatchObject({
      code: 'PAIRING_SPENT',
      shortMessage: 'This wallet already used this QR code: ask the dApp for a new one.',
    })
    // Someone else who saw the QR: the dApp no longer listens, so no answer, within the short timeout.
    const late = attacker.pair(pairing.uri)
    await clocks.attacker.armed(15_000)
    clocks.attacker.advance(15_000)
    await expect(late).rejects.toMatchObject(NO_ANSWER)

    const signature = await session.request('personal_sign', [toHex('still mine'), user.address])
    expect(
      await verifyMessage({ address: user.address, message: 'still mine', signature: signature as never }),
    ).toBe(true)
    expect(ended).toEqual([])
    expect([dapp.sessions, wallet.sessions]).toEqual([[session], [wsession]])
  })
})

describe('fast failure', () => {
  const damage: [string, (uri: string) => string][] = [
    [
      'one character of s changed',
      (u) => u.replace(/([?&]s=.{5})(.)/, (_, head, c) => head + (c === 'A' ? 'B' : 'A')),
    ],
    ['&c= removed', (u) => u.replace(/&c=[^&]*/, '')],
  ]
  it.each(damage)(
    'damaged QR (%s): the wallet fails after 15 s (injected clock) with PAIRING_NO_ANSWER',
    async (_, harm) => {
      const { dapp, wallet, clocks } = parties()
      const pairing = await dapp.pair()
      const bad = harm(pairing.uri)
      expect(bad).not.toBe(pairing.uri)
      const pending = wallet.pair(bad)
      await clocks.wallet.armed(15_000)
      clocks.wallet.advance(14_999)
      expect(await status(pending)).toBe('pending')
      clocks.wallet.advance(1)
      await expect(pending).rejects.toMatchObject(NO_ANSWER)
      expect(pairing.state).toBe('offered') // the real wallet can still pair
    },
  )

  it.each([
    ['closed dApp', (_p: Pairing, close: () => Promise<void>) => close()],
    ['cancelled pairing', async (p: Pairing) => p.cancel()],
  ])('%s: the wallet fails after 15 s (injected clock) with PAIRING_NO_ANSWER', async (_, end) => {
    const { dapp, wallet, clocks } = parties()
    const pairing = await dapp.pair()
    await end(pairing, () => dapp.close())
    const pending = wallet.pair(pairing.uri)
    await clocks.wallet.armed(15_000)
    clocks.wallet.advance(15_000)
    await expect(pending).rejects.toMatchObject(NO_ANSWER)
  })

  it.each(['cancel', 'close'])(
    'a dApp that %ss mid-pairing tells the wallet at once: PAIRING_CANCELLED',
    async (how) => {
      const { dapp, wallet, stopped } = parties()
      const pairing = await dapp.pair()
      const proposal = await wallet.pair(pairing.uri)
      await pairing.sas
      if (how === 'cancel') pairing.cancel()
      else await dapp.close()
      const cancelled = {
        code: 'PAIRING_CANCELLED',
        shortMessage: 'The dApp cancelled the pairing: nothing was connected.',
      }
      await expect(proposal.verified).rejects.toMatchObject(cancelled)
      await expect(proposal.approve()).rejects.toMatchObject(cancelled)
      expect(stopped()).toBe(true)
    },
  )

  it('the confirmation deadline ends it on both sides with PAIRING_EXPIRED', async () => {
    const { dapp, wallet, clocks } = parties()
    const pairing = await dapp.pair()
    const proposal = await wallet.pair(pairing.uri)
    const approving = proposal.approve()
    await reaches(pairing, 'walletConfirmed')
    clocks.dapp.advance(300_000) // the dApp's user never confirmed
    await expect(pairing.approved).rejects.toMatchObject({
      code: 'PAIRING_EXPIRED',
      shortMessage: 'The code was not confirmed on both screens in time.',
    })
    await expect(approving).rejects.toMatchObject({
      code: 'PAIRING_EXPIRED',
      shortMessage: 'The code was not confirmed on both screens in time: nothing was connected.',
    })
  })
})
