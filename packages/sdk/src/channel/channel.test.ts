import { createRelay, type Relay } from '@pairline/relay'
import { pairedResults as testPairedResults } from '@pairline/testkit/protocol'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type DeviceKey, memoryDeviceKey } from '../keys/device.js'
import { decodeSessionMessage, type SessionMessage } from '../messages/envelope.js'
import { FrameReceiver } from '../protocol/frameCipher.js'
import { getRandomSource } from '../protocol/random.js'
import { createRelayClient, type RelayClient } from '../transport/index.js'
import { Channel } from './channel.js'
import type { ChannelOptions } from './options.js'
import { RESEND_BATCH } from './outbox.js'
import type { Timers } from './retransmitTimer.js'
import type { ChannelState } from './state.js'

const random = getRandomSource()
const now = () => Date.now() / 1000

const pairedResults = () => testPairedResults(random)

let relay: Relay
const clients: RelayClient[] = []
const channels: Channel[] = []
beforeAll(async () => {
  relay = await createRelay({ port: 0 })
})
afterEach(async () => {
  await Promise.all(channels.splice(0).map((c) => c.close()))
  await Promise.all(clients.splice(0).map((c) => c.close()))
})
afterAll(() => relay.close())

function client(): RelayClient {
  const c = createRelayClient({ url: relay.url })
  clients.push(c)
  return c
}

/** Channel options whose saves are recorded. */
const walletDevice: DeviceKey = await memoryDeviceKey()
const dappDevice: DeviceKey = await memoryDeviceKey()

/** Channel options whose saves are recorded. */
function options(r: RelayClient, saves: ChannelState[] = [], device = walletDevice): ChannelOptions {
  return { relay: r, randomBytes: random, now, device, save: async (state) => void saves.push(state) }
}

/** Each side learns the other's device key (in the SDK: from the proposal and the approval). */
function bind(wallet: Channel, dapp: Channel): void {
  wallet.bindPeerDevice(dappDevice.publicKey)
  dapp.bindPeerDevice(walletDevice.publicKey)
}

function next(c: Channel, t: string): Promise<SessionMessage> {
  return new Promise((resolve) => {
    const on = (m: SessionMessage) => {
      if (m.t !== t) return
      c.off('message', on)
      resolve(m)
    }
    c.on('message', on)
  })
}

async function pair(
  walletSaves: ChannelState[] = [],
  dappSaves: ChannelState[] = [],
  shared?: [RelayClient, RelayClient],
) {
  const r = pairedResults()
  const [w, d] = shared ?? [client(), client()]
  const wallet = await Channel.fromHandshake(r.wallet, options(w, walletSaves))
  const dapp = await Channel.fromHandshake(r.dapp, options(d, dappSaves, dappDevice))
  bind(wallet, dapp)
  channels.push(wallet, dapp)
  return { wallet, dapp, w, d }
}

/** Timers fired by the test, in order, with the delays the channel asked for. */
function manualTimers() {
  const queue: { fn: () => void; ms: number }[] = []
  const timers: Timers = {
    setTimeout(fn, ms) {
      const h = { fn, ms }
      queue.push(h)
      return h
    },
    clearTimeout(h) {
      const i = queue.indexOf(h as (typeof queue)[number])
      if (i >= 0) queue.splice(i, 1)
    },
  }
  return { timers, delays: () => queue.map((q) => q.ms), fire: () => queue.shift()?.fn() }
}

describe('Channel over a real relay', () => {
  it('delivers reliable messages once, in order, with sequence numbers', async () => {
    const { wallet, dapp } = await pair()
    const got: SessionMessage[] = []
    const third = new Promise<void>((resolve) =>
      wallet.on('message', (m) => {
        got.push(m)
        if (got.length === 3) resolve()
      }),
    )
    for (const id of [1, 2, 3])
      await dapp.send({
        t: 'req',
        id,
        method: 'personal_sign',
        params: [],
        chainId: 'eip155:1',
        expiresAt: 9e9,
      })
    await third
    expect(got.map((m) => [m.t, m.seq, m.id])).toEqual([
      ['req', 1, 1],
      ['req', 2, 2],
      ['req', 3, 3],
    ])
    expect(wallet.state().recvSeq).toBe(3)
  })

  it('one sealed write per received reliable message (the owner’s state rides in the same write)', async () => {
    const walletSaves: ChannelState[] = []
    const { wallet, dapp } = await pair(walletSaves)
    const before = walletSaves.length
    const received = next(wallet, 'req')
    await dapp.send({
      t: 'req',
      id: 7,
      method: 'personal_sign',
      params: [],
      chainId: 'eip155:1',
      expiresAt: 9e9,
    })
    await received
    await wallet.persist() // settles the queue: every write caused so far has happened
    // the receipt's write plus the explicit persist; before this change a received request cost two
    expect(walletSaves.length - before).toBe(2)
    expect(walletSaves[before]?.recvSeq).toBe(1)
  })

  it('routes by topic: two channels on one relay client each see only their own topic', async () => {
    const shared: [RelayClient, RelayClient] = [client(), client()]
    const a = await pair([], [], shared)
    const b = await pair([], [], shared)
    const seenByB: SessionMessage[] = []
    b.wallet.on('message', (m) => seenByB.push(m))
    const got = next(a.wallet, 'ping')
    await a.dapp.send({ t: 'ping' })
    await got
    expect(seenByB).toEqual([])
  })

  it('a restored channel resumes with a fresh handshake and retransmits what was not acknowledged', async () => {
    const walletSaves: ChannelState[] = []
    const r = pairedResults()
    const psk = r.dapp.resumePsk.slice()
    const wallet = await Channel.fromHandshake(r.wallet, options(client(), walletSaves))
    const dappRelay = client()
    const dapp = await Channel.fromHandshake(r.dapp, options(dappRelay, [], dappDevice))
    bind(wallet, dapp)
    channels.push(wallet)
    const state = dapp.state()
    await dapp.close() // the dApp "crashes" before sending
    state.sendSeq = 1
    state.unacked = [
      {
        seq: 1,
        body: { t: 'req', id: 1, method: 'personal_sign', params: [], chainId: 'eip155:1', expiresAt: 9e9 },
      },
    ]
    const resumed = new Promise<void>((resolve) => wallet.once('resumed', resolve))
    const delivered = next(wallet, 'req')
    const restored = await Channel.restore(state, psk, options(dappRelay, [], dappDevice))
    channels.push(restored)
    await resumed
    expect((await delivered).id).toBe(1)
    expect(restored.state().topics).not.toEqual(state.topics) // new keys, new topics
  })

  it('issue 10, observation 8: a lost message is sent again on a timer with backoff, not only on reconnect', async () => {
    const r = pairedResults()
    const [w, d] = [client(), client()]
    // The first publish of the dApp is lost (the relay dropped it); the connection stays up.
    let dropped = 0
    const publish = d.publish.bind(d)
    d.publish = (topic, payload, o) =>
      dropped++ === 0 ? Promise.resolve(new Uint8Array(16)) : publish(topic, payload, o)
    const timers = manualTimers()
    const wallet = await Channel.fromHandshake(r.wallet, options(w))
    const dapp = await Channel.fromHandshake(r.dapp, { ...options(d), timers: timers.timers })
    channels.push(wallet, dapp)
    const delivered = next(wallet, 'req')
    const body = {
      t: 'req' as const,
      id: 'x',
      method: 'personal_sign',
      params: [],
      chainId: 'eip155:1',
      expiresAt: 9e9,
    }
    await dapp.send(body)
    expect(timers.delays()).toEqual([2000])
    timers.fire() // nothing acknowledged after 2 s: sent again, and the next wait is longer
    expect(timers.delays()).toEqual([4000])
    expect((await delivered).seq).toBe(1)
    await new Promise<void>((resolve) => dapp.once('acked', () => resolve()))
    expect(dapp.state().unacked).toEqual([])
    expect(timers.delays()).toEqual([]) // progress: nothing left to resend, no timer
  })

  it('issue 15: a resend round of the timer sends the 16 oldest unacknowledged messages again, not all of them (the relay’s burst)', async () => {
    const r = pairedResults()
    const d = client()
    // Every publish of the dApp is lost; the wallet's key reads what it sent (no wallet runs here).
    const rx = new FrameReceiver({ key: r.wallet.receiveKey })
    const sent: number[] = []
    d.publish = (_topic, payload) => {
      sent.push(decodeSessionMessage(rx.open(payload, now()).plaintext).seq)
      return Promise.resolve(new Uint8Array(16))
    }
    const timers = manualTimers()
    const dapp = await Channel.fromHandshake(r.dapp, { ...options(d, [], dappDevice), timers: timers.timers })
    channels.push(dapp)
    await Promise.all(Array.from({ length: 40 }, () => dapp.send({ t: 'ping' })))
    expect(sent).toEqual(Array.from({ length: 40 }, (_, i) => i + 1)) // each sent once
    sent.length = 0
    expect(timers.delays()).toEqual([2000])
    timers.fire()
    expect(sent).toEqual(Array.from({ length: RESEND_BATCH }, (_, i) => i + 1)) // the oldest hold back the ack
    expect(RESEND_BATCH).toBe(16)
    expect(timers.delays()).toEqual([4000])
  })

  it('issue 10: a message too large for a frame is refused before anything changes', async () => {
    const { dapp } = await pair()
    const before = dapp.state()
    await expect(dapp.send({ t: 'req', params: ['x'.repeat(60_000)] })).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      shortMessage: 'The message is too large for one frame.',
    })
    expect(dapp.state()).toEqual(before)
  })

  it('refuses to send once closed: SESSION_CLOSED', async () => {
    const { dapp } = await pair()
    await dapp.close()
    await expect(dapp.send({ t: 'ping' })).rejects.toMatchObject({
      code: 'SESSION_CLOSED',
      shortMessage: 'The session is closed.',
    })
  })
})
