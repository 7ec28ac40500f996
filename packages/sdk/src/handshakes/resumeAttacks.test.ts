import { pairedResults } from '@pairline/testkit/protocol'
import { manualTimers } from '@pairline/testkit/timers'
import { describe, expect, it } from 'vitest'
import { Channel } from '../channel/channel.js'
import type { ChannelOptions } from '../channel/options.js'
import { RetryTimer } from '../channel/resumeLink.js'
import type { ChannelState } from '../channel/state.js'
import type { PairlineError } from '../errors/base.js'
import { type DeviceKey, memoryDeviceKey } from '../keys/device.js'
import { fromBase64Url } from '../protocol/bytes.js'
import { MessageType } from '../protocol/envelope.js'
import { generateKeyPair } from '../protocol/noise/dh.js'
import { startResume } from '../protocol/resume.js'
import { encodeResumeInit, resumeInitSignedData } from '../protocol/resumePayload.js'
import { MAX_SUPERSEDED_ANSWERS, SupersededAnswers } from './resumeIo.js'
import { event, next, random, useResumeRig } from './resumeRig.fixture.js'

/*
 * Resume (docs/PROTOCOL.md §8) attacked as a malicious relay and as a thief with a copied record,
 * with and without the device key. Each test is named after the property it protects
 * (docs/THREAT-MODEL.md §3.1, §3.7).
 */

const devices = { wallet: await memoryDeviceKey(), dapp: await memoryDeviceKey() }

type Disk = { state: ChannelState | null; secrets: Uint8Array | null }

const rig = useResumeRig()
const { channels, client } = rig

function options(d: Disk, device: DeviceKey, extra: Partial<ChannelOptions> = {}): ChannelOptions {
  return rig.options(
    device,
    async (state, secrets) => {
      d.state = structuredClone(state)
      d.secrets = secrets.slice()
    },
    extra,
  )
}

const copy = (d: Disk): Disk => ({
  state: structuredClone(d.state),
  secrets: (d.secrets as Uint8Array).slice(),
})

type Pair = { wallet: Channel; dapp: Channel; disks: { wallet: Disk; dapp: Disk } }

async function pair(o: { walletKnowsDapp?: boolean; dappKnowsWallet?: boolean } = {}): Promise<Pair> {
  const r = pairedResults(random)
  const disks = { wallet: { state: null, secrets: null }, dapp: { state: null, secrets: null } }
  const wallet = await Channel.fromHandshake(r.wallet, options(disks.wallet, devices.wallet))
  const dapp = await Channel.fromHandshake(r.dapp, options(disks.dapp, devices.dapp))
  if (o.walletKnowsDapp !== false) wallet.bindPeerDevice(devices.dapp.publicKey)
  if (o.dappKnowsWallet !== false) dapp.bindPeerDevice(devices.wallet.publicKey)
  await Promise.all([wallet.persist(), dapp.persist()])
  channels.push(wallet, dapp)
  return { wallet, dapp, disks }
}

/** A process started from `d` (a real restart, or a thief's copy), with `device`. */
async function restoreFrom(d: Disk, device: DeviceKey, into: Disk = d): Promise<Channel> {
  const c = await Channel.restore(
    structuredClone(d.state as ChannelState),
    (d.secrets as Uint8Array).slice(),
    options(into, device),
  )
  channels.push(c)
  return c
}

function errors(c: Channel): PairlineError[] {
  const out: PairlineError[] = []
  c.on('error', (e) => out.push(e))
  return out
}

let nextId = 1
/** A request from `dapp` reaches `wallet`: the session works (and the wallet commits the new generation). */
async function works(wallet: Channel, dapp: Channel): Promise<void> {
  const id = nextId++
  const got = next(wallet, 'req')
  await dapp.send({ t: 'req', id, method: 'personal_sign', params: [], chainId: 'eip155:1', expiresAt: 9e9 })
  expect((await got).id).toBe(id)
}

/** Resolves on the `count`-th publish (from now) of an envelope of `type`, with its payload. */
function published(type: number, count = 1): Promise<Uint8Array> {
  let seen = 0
  const before = rig.broker.drop
  return new Promise((resolve) => {
    rig.broker.drop = (payload, topicKey) => {
      if (payload[1] === type && ++seen === count) {
        rig.broker.drop = before
        resolve(payload)
      }
      return before(payload, topicKey)
    }
  })
}

const resumeInits = () => rig.broker.seen.filter((m) => m.payload[1] === MessageType.ResumeInit)
const resumeReplies = () => rig.broker.seen.filter((m) => m.payload[1] === MessageType.ResumeReply)

describe('resume message 1 forged by a thief with the wallet’s record (§8.3)', () => {
  // The thief has the wallet's resume psk (from its record) and a signature by the real dApp's
  // device key for some other resume: it may put any e and n in its message 1, but the signature
  // binds the session id, generation, attempt and e.
  const cases: [
    string,
    (o: { sessionId: Uint8Array; gen: number; n: number; e: Uint8Array }) => Uint8Array,
  ][] = [
    ['another session id', (o) => resumeInitSignedData(random(16), o.gen, o.n, o.e)],
    ['another generation', (o) => resumeInitSignedData(o.sessionId, o.gen + 1, o.n, o.e)],
    ['another attempt number', (o) => resumeInitSignedData(o.sessionId, o.gen, o.n + 1, o.e)],
    ['another ephemeral key', (o) => resumeInitSignedData(o.sessionId, o.gen, o.n, random(32))],
  ]
  for (const [what, signed] of cases) {
    it(`a resume signature is bound to its context: a valid psk with the dApp’s signature for ${what} is RESUME_REFUSED, nothing changes`, async () => {
      const p = await pair()
      const before = structuredClone(p.wallet.state())
      const s = p.wallet.resumer.state
      const sessionId = fromBase64Url(before.sessionId) as Uint8Array
      const e = generateKeyPair(random)
      const n = 1
      const sig = await devices.dapp.sign(signed({ sessionId, gen: s.current.gen, n, e: e.publicKey }))
      const forged = startResume({
        role: 'dapp',
        sessionId,
        resumePsk: s.current.psk,
        payload: encodeResumeInit({ n, sig }),
        randomBytes: random,
        e,
      })
      const seen = errors(p.wallet)
      const replies = resumeReplies().length
      await p.wallet.resumer.onInit(s.current.topics.d2w, forged.message1)
      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatchObject({
        code: 'RESUME_REFUSED',
        shortMessage: 'A resume with this session’s secrets but without its device key was refused.',
        details: 'Someone holds a copy of the stored session; it could not resume.',
      })
      expect(resumeReplies()).toHaveLength(replies) // no answer
      expect(p.wallet.state()).toEqual(before) // no candidate, no attempt recorded
      await works(p.wallet, p.dapp) // the live session is untouched
      forged.destroy()
    })
  }

  it('a resume signature is bound to its context: the same message 1 with the right signature is answered (control)', async () => {
    const p = await pair()
    const s = p.wallet.resumer.state
    const sessionId = fromBase64Url(p.wallet.state().sessionId) as Uint8Array
    const e = generateKeyPair(random)
    const sig = await devices.dapp.sign(resumeInitSignedData(sessionId, s.current.gen, 1, e.publicKey))
    const m1 = startResume({
      role: 'dapp',
      sessionId,
      resumePsk: s.current.psk,
      payload: encodeResumeInit({ n: 1, sig }),
      randomBytes: random,
      e,
    })
    const answer = published(MessageType.ResumeReply)
    await p.wallet.resumer.onInit(s.current.topics.d2w, m1.message1)
    await answer
    expect(p.wallet.resumer.state.candidate?.gen).toBe(1)
    m1.destroy()
  })
})

describe('a session without the peer’s device key never resumes unsigned (downgrade, §4.3, §8.3)', () => {
  it('no device in the proposal: the restored wallet refuses to resume (RESUME_REFUSED) and sends nothing', async () => {
    const p = await pair({ walletKnowsDapp: false })
    await p.wallet.close()
    const inits = resumeInits().length
    const wallet = await Channel.restore(
      structuredClone(p.disks.wallet.state as ChannelState),
      (p.disks.wallet.secrets as Uint8Array).slice(),
      options(p.disks.wallet, devices.wallet),
    )
    channels.push(wallet)
    const refused = await event<PairlineError>(wallet, 'error')
    expect(refused).toMatchObject({
      code: 'RESUME_REFUSED',
      shortMessage: 'The peer’s device key is not known: this session cannot resume.',
    })
    expect(resumeInits()).toHaveLength(inits)
    expect(wallet.resumer.pending).toBeNull()
  })

  it('no device in the approval: a wallet’s resume reaching the dApp is RESUME_REFUSED and unanswered', async () => {
    const p = await pair({ dappKnowsWallet: false })
    await p.wallet.close()
    const refused = event<PairlineError>(p.dapp, 'error')
    const replies = resumeReplies().length
    await restoreFrom(p.disks.wallet, devices.wallet) // it knows the dApp's key: it sends a signed message 1
    expect(await refused).toMatchObject({
      code: 'RESUME_REFUSED',
      shortMessage: 'The peer’s device key is not known: this session cannot resume.',
    })
    expect(resumeReplies()).toHaveLength(replies)
    expect(p.dapp.resumer.state.candidate).toBeNull()
  })
})

describe('a relay that withholds resume message 2 forever (§8.1)', () => {
  it('resume retries back off to 60 s and stay there (injected clock)', () => {
    const clock = manualTimers()
    const fired: number[] = []
    const t = new RetryTimer(3000, () => fired.push(clock.now), clock)
    t.start()
    clock.advance(3000 + 6000 + 12_000 + 24_000 + 48_000 + 60_000 * 3)
    expect(fired).toEqual([3000, 9000, 21_000, 45_000, 93_000, 153_000, 213_000, 273_000])
    expect(clock.pending()).toEqual([60_000]) // one timer, re-armed: nothing accumulates
    t.stop()
    expect(clock.pending()).toEqual([])
  })

  it('resume message 2 withheld forever: the initiator resends one message 1, byte-identical, and holds one attempt', async () => {
    const p = await pair()
    rig.broker.drop = (payload) => payload[1] === MessageType.ResumeReply
    await p.dapp.close()
    const from = resumeInits().length
    const sixth = published(MessageType.ResumeInit, 6)
    const dapp = await restoreFrom(p.disks.dapp, devices.dapp)
    await sixth
    const sent = resumeInits().slice(from)
    expect(sent.length).toBeGreaterThanOrEqual(6)
    for (const m of sent) expect(m.payload).toEqual(sent[0]?.payload) // the same attempt, resent
    expect(dapp.resumer.state.attempt).toBe(1) // one attempt number used, not one per retry
    expect(p.wallet.resumer.state.peerAttempt).toBe(1) // the wallet answered once, then from its cache
    rig.broker.drop = () => false
    await event(dapp, 'resumed') // the relay relents: the next retry gets the cached answer
    await works(p.wallet, dapp)
  })
})

describe('a copied record with the device key: clones and detection (§8.4, §12)', () => {
  it('takeover detection survives a replayed message 1: a replay on the retired generation does not cancel the proof of life', async () => {
    const p = await pair()
    const stolen = copy(p.disks.dapp) // at generation 0
    await p.dapp.close()
    const real = await restoreFrom(p.disks.dapp, devices.dapp)
    await event(real, 'resumed')
    await works(p.wallet, real) // the wallet commits generation 1; generation 0 is retired
    const realInit = resumeInits().at(-1)?.payload as Uint8Array // the real dApp's message 1, on gen 0

    // The thief's copy resumes on generation 0 and is told "superseded"; before its proof of life
    // (the close under that handshake's keys) reaches the wallet, the relay replays the real dApp's
    // old message 1 on the same retired topic, which the wallet also answers "superseded".
    const thief = await restoreFrom(stolen, devices.dapp, { state: null, secrets: null })
    const walletTold = event<PairlineError>(p.wallet, 'takenOver')
    expect(await event<PairlineError>(thief, 'takenOver')).toMatchObject({ code: 'SESSION_TAKEN_OVER' })
    const replayAnswered = published(MessageType.ResumeReply)
    const replayer = client()
    await replayer.publish(p.wallet.resumer.state.retired[0]?.topics.d2w as string, realInit)
    await replayAnswered
    await thief.send({ t: 'close', code: 4900, message: 'taken over', reason: 'taken-over' })
    expect(await walletTold).toMatchObject({
      code: 'SESSION_TAKEN_OVER',
      details: 'Another device resumed this session with a copy of its secrets.',
    })
  })

  it('a clone is detected if it resumed at most twice before the real party’s contact', async () => {
    const p = await pair()
    const real = copy(p.disks.dapp)
    await p.dapp.close()
    let thief = await restoreFrom(p.disks.dapp, devices.dapp)
    await event(thief, 'resumed')
    await works(p.wallet, thief)
    await thief.close()
    thief = await restoreFrom(p.disks.dapp, devices.dapp)
    await event(thief, 'resumed')
    await works(p.wallet, thief) // the wallet is at generation 2; 1 and 0 are retired
    expect(p.wallet.resumer.state.retired.map((g) => g.gen)).toEqual([1, 0])
    const back = await restoreFrom(real, devices.dapp, { state: null, secrets: null })
    expect(await event<PairlineError>(back, 'takenOver')).toMatchObject({ code: 'SESSION_TAKEN_OVER' })
  })

  it('a clone that resumed three times before the real party’s contact evades detection: the real party’s resume is unanswered, nobody is told (documented limit, §12)', async () => {
    const p = await pair()
    const real = copy(p.disks.dapp)
    await p.dapp.close()
    let thief: Channel | null = null
    for (let i = 0; i < 3; i++) {
      await thief?.close()
      thief = await restoreFrom(p.disks.dapp, devices.dapp)
      await event(thief, 'resumed')
      await works(p.wallet, thief)
    }
    expect(p.wallet.resumer.state.current.gen).toBe(3)
    expect(p.wallet.resumer.state.retired.map((g) => g.gen)).toEqual([2, 1])
    const walletErrors = errors(p.wallet)
    let walletTold = false
    p.wallet.on('takenOver', () => {
      walletTold = true
    })
    // The real dApp comes back at generation 0: the wallet no longer knows that generation.
    const sent = published(MessageType.ResumeInit)
    const back = await restoreFrom(real, devices.dapp, { state: null, secrets: null })
    let backTold = false
    back.on('takenOver', () => {
      backTold = true
    })
    const m1 = await sent
    const replies = resumeReplies().length
    await p.wallet.resumer.onInit(real.state?.topics.d2w as string, m1) // what the relay delivered
    expect(resumeReplies()).toHaveLength(replies) // no answer at all
    expect(walletErrors).toEqual([])
    expect(walletTold).toBe(false)
    expect(backTold).toBe(false)
    expect(back.resumer.pending).not.toBeNull() // it keeps resending its message 1
    await works(p.wallet, thief as Channel) // and the clone is still served
  })
})

describe('superseded answers are bounded (§8.4)', () => {
  it('a flood of message 1s on a retired generation keeps at most 8 answers per topic; the oldest are wiped', () => {
    const answers = new SupersededAnswers()
    const results = Array.from({ length: MAX_SUPERSEDED_ANSWERS + 1 }, () => pairedResults(random).wallet)
    for (const [i, r] of results.entries()) answers.set('t', `m${i}`, new Uint8Array([i]), r)
    expect(answers.keys('t')).toHaveLength(8)
    expect(answers.known('t', 'm0')).toBeNull()
    expect(answers.known('t', 'm8')).toEqual(new Uint8Array([8]))
    expect(results[0]?.receiveKey.every((b) => b === 0)).toBe(true) // evicted: wiped
    expect(results[1]?.receiveKey.some((b) => b !== 0)).toBe(true)
    expect(results[8]?.sendKey.every((b) => b === 0)).toBe(true) // only the receive key is kept
    answers.destroy()
    expect(results[8]?.receiveKey.every((b) => b === 0)).toBe(true)
  })
})
