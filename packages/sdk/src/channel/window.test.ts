import { pairedResults } from '@pairline/testkit/protocol'
import { useRelay } from '@pairline/testkit/relay'
import { propertySeed } from '@pairline/testkit/seed'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { memoryDeviceKey } from '../keys/device.js'
import { decodeSessionMessage, encodeSessionMessage, type SessionMessage } from '../messages/envelope.js'
import { FrameReceiver, FrameSender } from '../protocol/frameCipher.js'
import { getRandomSource } from '../protocol/random.js'
import { encodeRecord } from '../records/record.js'
import { createRelayClient, type RelayClient } from '../transport/index.js'
import { Channel } from './channel.js'
import { Outbox } from './outbox.js'
import type { Timers } from './retransmitTimer.js'
import { ReceiveSequence, SEQ_WINDOW } from './sequence.js'
import type { ChannelState } from './state.js'

fc.configureGlobal({ seed: propertySeed(import.meta.url) })

const W = SEQ_WINDOW

/** Timers that never fire: whatever arrives did so without the resend timer. */
const stillTimers: Timers = { setTimeout: () => ({}), clearTimeout: () => {} }

const outOfWindow = (seq: number, recvSeq: number) => ({
  code: 'SEQ_OUT_OF_WINDOW',
  shortMessage: 'The message is beyond the receive window.',
  details: `seq ${seq} > ${recvSeq} + ${W}`,
})

describe('the receive window (PROTOCOL.md §14.1 Window)', () => {
  it('takes seqs up to recvSeq + 128 and refuses the next one with SEQ_OUT_OF_WINDOW, changing nothing', () => {
    const r = new ReceiveSequence(10, [12])
    expect(r.accept(10 + W)).toBe(true)
    expect(() => r.accept(11 + W)).toThrowError(expect.objectContaining(outOfWindow(11 + W, 10)))
    expect(() => r.accept(2 ** 48)).toThrowError(expect.objectContaining(outOfWindow(2 ** 48, 10)))
    expect([r.recvSeq, r.recvAhead]).toEqual([10, [12, 10 + W]])
    expect(r.accept(11)).toBe(true) // the gap closes: 11, 12 in order
    expect([r.recvSeq, r.recvAhead]).toEqual([12, [10 + W]])
    expect(r.accept(12)).toBe(false) // a duplicate
    expect(r.accept(10 + W)).toBe(false)
  })

  it('property: any seqs a peer or relay sends keep recvAhead sorted, distinct, in the window and under 128 long; each seq is taken once', () => {
    const seq = fc.oneof(
      fc.integer({ min: 0, max: 3 * W }), // around the window
      fc.integer({ min: 0, max: 2 ** 48 }), // anywhere
    )
    fc.assert(
      fc.property(fc.array(seq, { maxLength: 600 }), (seqs) => {
        const r = new ReceiveSequence()
        const taken = new Set<number>()
        for (const s of seqs) {
          const before = { recvSeq: r.recvSeq, ahead: [...r.recvAhead] }
          let fresh: boolean
          try {
            fresh = r.accept(s)
          } catch (err) {
            expect(err).toMatchObject(outOfWindow(s, before.recvSeq))
            expect(s).toBeGreaterThan(before.recvSeq + W)
            expect({ recvSeq: r.recvSeq, ahead: r.recvAhead }).toEqual(before) // nothing changed
            continue
          }
          expect(fresh).toBe(s > 0 && !taken.has(s))
          if (fresh) taken.add(s)
          const ahead = r.recvAhead
          expect(ahead.length).toBeLessThan(W)
          for (const [i, a] of ahead.entries()) {
            expect(a).toBeGreaterThan(r.recvSeq + 1)
            expect(a).toBeLessThanOrEqual(r.recvSeq + W)
            if (i > 0) expect(a).toBeGreaterThan(ahead[i - 1]!)
          }
          // recvSeq is the top of the run 1, 2, … of taken seqs
          expect(taken.has(r.recvSeq + 1)).toBe(false)
          for (let k = 1; k <= Math.min(r.recvSeq, 5); k++) expect(taken.has(k) || k <= r.recvSeq).toBe(true)
        }
      }),
      { numRuns: 300 },
    )
  })

  it('property: an honest sender over a network that drops, duplicates and reorders is never refused, and everything arrives once', () => {
    const step = fc.record({ op: fc.nat(9), pick: fc.nat() })
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 * W + 7 }),
        fc.array(step, { maxLength: 2000 }),
        (total, steps) => {
          const out = new Outbox(undefined, { timers: stillTimers }, () => {})
          const recv = new ReceiveSequence()
          const net: number[] = []
          const delivered = new Map<number, number>()
          for (let i = 0; i < total; i++) {
            const u = out.next({ t: 'ping' })
            out.commit(u)
            if (u.seq <= out.windowEnd) net.push(u.seq) // the writer's rule
          }
          const deliver = (at: number, keep: boolean) => {
            const [s] = keep ? [net[at % net.length]!] : net.splice(at % net.length, 1)
            if (s === undefined) return
            if (recv.accept(s)) delivered.set(s, (delivered.get(s) ?? 0) + 1) // throws if refused
          }
          const ack = () => {
            const edge = out.windowEnd
            if (out.release(recv.recvSeq)) for (const u of out.window()) if (u.seq > edge) net.push(u.seq) // the channel's rule
          }
          for (const { op, pick } of steps) {
            if (net.length > 0 && op < 5) deliver(pick, false)
            else if (net.length > 0 && op === 5)
              deliver(pick, true) // a duplicate
            else if (net.length > 0 && op === 6)
              net.splice(pick % net.length, 1) // lost
            else if (op === 7) ack()
            else for (const u of out.window()) net.push(u.seq) // a resend round
            expect(recv.recvAhead.length).toBeLessThan(W)
            expect(Math.max(0, ...net)).toBeLessThanOrEqual(recv.recvSeq + W)
          }
          // Then an honest network: resend rounds and acks until all is acknowledged.
          for (let round = 0; out.unacked.length > 0; round++) {
            expect(round).toBeLessThan(total + 2)
            for (const u of out.window()) net.push(u.seq)
            while (net.length > 0) deliver(0, false)
            ack()
          }
          expect(recv.recvSeq).toBe(total)
          expect(recv.recvAhead).toEqual([])
          expect(delivered.size).toBe(total)
          expect([...delivered.values()].every((n) => n === 1)).toBe(true)
        },
      ),
      { numRuns: 200 },
    )
  })
})

// Frames here are published far faster than the relay's defaults allow (50/s, 256 stored per topic).
const relay = useRelay({
  limits: {
    publishRate: 100_000,
    publishBurst: 100_000,
    frameRate: 100_000,
    frameBurst: 100_000,
    maxMessagesPerTopic: 100_000,
    maxStoredMessagesPerConnection: 100_000,
    maxStoredBytesPerConnection: 256 * 1024 * 1024,
    maxBytesPerTopic: 256 * 1024 * 1024,
  },
})
const random = getRandomSource()
const now = () => Date.now() / 1000

function client(): RelayClient {
  const c = createRelayClient({ url: relay.url })
  relay.cleanup.push(() => c.close())
  return c
}

function nextMessage(c: Channel, test: (m: SessionMessage) => boolean): Promise<SessionMessage> {
  return new Promise((resolve) => {
    const on = (m: SessionMessage) => {
      if (!test(m)) return
      c.off('message', on)
      resolve(m)
    }
    c.on('message', on)
  })
}

describe('the window against a hostile peer, over a real relay', () => {
  it('a peer sending seqs far ahead and with many gaps cannot grow the receiver’s memory or record past 127 numbers; honest traffic still completes', async () => {
    const r = pairedResults(random)
    const saves: ChannelState[] = []
    const device = await memoryDeviceKey()
    // The dApp side is the attacker: it holds the session keys and seals whatever it likes.
    const tx = new FrameSender({ key: r.dapp.sendKey, nowSeconds: now() })
    const rx = new FrameReceiver({ key: r.dapp.receiveKey })
    const topics = r.dapp.topics
    const wallet = await Channel.fromHandshake(r.wallet, {
      relay: client(),
      randomBytes: random,
      now,
      device,
      save: async (state) => void saves.push(state),
    })
    relay.cleanup.push(() => wallet.close())
    const attacker = client()
    let onHeard = (_: SessionMessage) => {}
    attacker.route(topics.w2d, (m) => {
      void attacker.ack(m.topic, m.id)
      onHeard(decodeSessionMessage(rx.open(m.payload, now()).plaintext))
    })
    await attacker.subscribe([topics.w2d])
    const send = (seq: number, t: SessionMessage['t'] = 'ping') =>
      attacker.publish(topics.d2w, tx.seal(encodeSessionMessage({ v: 1, t, seq, ack: 0 }), now()), {
        ttlSeconds: 600,
      })
    const pings: number[] = []
    wallet.on('message', (m) => pings.push(m.seq))

    // 2,000 seqs far ahead, then every odd seq from 3 to 2,001 (gaps everywhere), then seq 1.
    const pick = fc.sample(fc.integer({ min: W + 1, max: 2 ** 48 }), { numRuns: 2000 })
    const gaps = Array.from({ length: 1000 }, (_, i) => 3 + 2 * i)
    const attack = [...pick, ...gaps]
    for (let i = 0; i < attack.length; i += 200)
      await Promise.all(attack.slice(i, i + 200).map((s) => send(s)))
    const first = nextMessage(wallet, (m) => m.seq === 1)
    await send(1)
    await first // every frame before it was handled: one socket, delivered in publish order

    const state = wallet.state()
    const inWindow = gaps.filter((s) => s <= W) // 3, 5, …, 127: the only ones taken (recvSeq was 0)
    expect(pings).toEqual([...inWindow, 1])
    expect(state.recvSeq).toBe(1)
    expect(state.recvAhead).toEqual(inWindow)
    // Every record written was within the window too, and its channel state stayed small.
    expect(Math.max(...saves.map((s) => s.recvAhead.length))).toBe(inWindow.length)
    expect(Math.max(...saves.map((s) => s.recvAhead.at(-1) ?? 0))).toBeLessThanOrEqual(W)
    const bytes = encodeRecord({ channel: state }, new Uint8Array(32)).length
    console.log(
      `window attack: ${attack.length + 1} frames, ${pings.length} taken, recvAhead ${state.recvAhead.length} ` +
        `(max ${W - 1}), ${saves.length} writes, record ${bytes} B`,
    )
    expect(saves.length).toBeLessThanOrEqual(inWindow.length + 3) // no write for a refused message

    // Filling the gaps moves the window on; the seqs refused at first (129, 131, …), sent again
    // once inside it, are taken, as an honest sender's resends would be.
    const refill = Array.from({ length: W + 2 }, (_, i) => i + 2).filter((s) => !inWindow.includes(s))
    const last = nextMessage(wallet, (m) => m.seq === W + 3)
    for (const s of refill) await send(s)
    await last
    expect(wallet.state().recvSeq).toBe(W + 3)
    expect(wallet.state().recvAhead).toEqual([])
    expect(pings.length).toBe(W + 3) // each seq once

    // The wallet's own traffic is unaffected: its message arrives, acknowledging what it took.
    const heard = new Promise<SessionMessage>((resolve) => {
      onHeard = (m) => m.t === 'ping' && resolve(m)
    })
    await wallet.send({ t: 'ping' })
    expect(await heard).toMatchObject({ seq: 1, ack: W + 3 })
  })

  it('an honest sender with 3 × 128 messages outstanding puts one window on the wire, the rest as acks come; all arrive once without a resend', async () => {
    const r = pairedResults(random)
    const [dappDevice, walletDevice] = [await memoryDeviceKey(), await memoryDeviceKey()]
    const d = client()
    // The sender's timers never fire: nothing is resent, so whatever arrives was sent once (the
    // wallet, which sends nothing reliable, acks on its own timers).
    const base = { randomBytes: random, now }
    const wallet = await Channel.fromHandshake(r.wallet, { ...base, relay: client(), device: walletDevice })
    const dapp = await Channel.fromHandshake(r.dapp, {
      ...base,
      relay: d,
      device: dappDevice,
      timers: stillTimers,
    })
    relay.cleanup.push(
      () => dapp.close(),
      () => wallet.close(),
    )
    let published = 0
    const publish = d.publish.bind(d)
    d.publish = (topic, payload, o) => {
      published++
      return publish(topic, payload, o)
    }
    const got = new Map<number, number>()
    const total = 3 * W
    const all = new Promise<void>((resolve) =>
      wallet.on('message', (m) => {
        got.set(m.seq, (got.get(m.seq) ?? 0) + 1)
        if (got.size === total) resolve()
      }),
    )
    const release = wallet.hold() // no frame is handled, so no ack comes back, until released
    await Promise.all(Array.from({ length: total }, () => dapp.send({ t: 'ping' })))
    // All numbered and stored; only the first window is on the wire.
    expect(dapp.state().sendSeq).toBe(total)
    expect(dapp.state().unacked).toHaveLength(total)
    expect(published).toBe(W)
    release()
    await all
    expect([...got.values()].every((n) => n === 1)).toBe(true)
    expect(wallet.state()).toMatchObject({ recvSeq: total, recvAhead: [] })
    while (dapp.state().unacked.length > 0) await new Promise((resolve) => dapp.once('acked', resolve))
    // Each message went out exactly once: no resend, no frame above the window refused.
    expect(published).toBe(total)
    console.log(`window sender: ${total} messages, ${published} frames published by the sender`)
  })
})
