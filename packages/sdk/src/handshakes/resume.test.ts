import { pairedResults } from '@pairline/testkit/protocol'
import { describe, expect, it } from 'vitest'
import { Channel } from '../channel/channel.js'
import type { ChannelOptions } from '../channel/options.js'
import type { ChannelState } from '../channel/state.js'
import { type DeviceKey, memoryDeviceKey } from '../keys/device.js'
import { MessageType } from '../protocol/envelope.js'
import { event, next, random, useResumeRig } from './resumeRig.fixture.js'

const devices = { wallet: await memoryDeviceKey(), dapp: await memoryDeviceKey() }

/** One side's storage: the last write that landed; writes can be made to fail by number. */
type Disk = {
  state: ChannelState | null
  secrets: Uint8Array | null
  writes: number
  failAt: Set<number>
  /** called when a write fails (after it was counted) */
  onLost: () => void
}
const disk = (): Disk => ({ state: null, secrets: null, writes: 0, failAt: new Set(), onLost: () => {} })

const rig = useResumeRig()
const { channels, client } = rig

function options(d: Disk, device: DeviceKey, extra: Partial<ChannelOptions> = {}): ChannelOptions {
  return rig.options(
    device,
    async (state, secrets) => {
      d.writes++
      if (d.failAt.has(d.writes)) {
        d.onLost()
        throw new Error(`write ${d.writes} lost`)
      }
      d.state = structuredClone(state)
      d.secrets = secrets.slice()
    },
    extra,
  )
}

type Side = 'wallet' | 'dapp'
type Pair = { wallet: Channel; dapp: Channel; disks: Record<Side, Disk> }

async function pair(extra: Partial<ChannelOptions> = {}): Promise<Pair> {
  const r = pairedResults(random)
  const disks = { wallet: disk(), dapp: disk() }
  const wallet = await Channel.fromHandshake(r.wallet, options(disks.wallet, devices.wallet, extra))
  const dapp = await Channel.fromHandshake(r.dapp, options(disks.dapp, devices.dapp, extra))
  wallet.bindPeerDevice(devices.dapp.publicKey)
  dapp.bindPeerDevice(devices.wallet.publicKey)
  await Promise.all([wallet.persist(), dapp.persist()]) // the SDK persists once the session exists
  channels.push(wallet, dapp)
  return { wallet, dapp, disks }
}

/** The side's process dies (nothing more is written or sent) and starts again from its disk. */
async function restart(p: Pair, side: Side, device = devices[side]): Promise<Channel> {
  await p[side].close()
  const d = p.disks[side]
  const c = await Channel.restore(
    structuredClone(d.state as ChannelState),
    (d.secrets as Uint8Array).slice(),
    options(d, device),
  )
  channels.push(c)
  p[side] = c
  return c
}

let nextId = 1
/** A request from the dApp reaches the wallet: the session works. */
async function works(p: Pair): Promise<void> {
  const id = nextId++
  const got = next(p.wallet, 'req')
  await p.dapp.send({
    t: 'req',
    id,
    method: 'personal_sign',
    params: [],
    chainId: 'eip155:1',
    expiresAt: 9e9,
  })
  expect((await got).id).toBe(id)
}

describe('observation 4: resume with key confirmation (docs/PROTOCOL.md §8.2)', () => {
  it('bricked by one lost message (obs. 4): the relay drops resume message 2 once, the session recovers', async () => {
    const p = await pair()
    rig.broker.dropNth(MessageType.ResumeReply, 1)
    const dapp = await restart(p, 'dapp')
    await event(dapp, 'resumed') // message 1 was sent again; the wallet answered it the same way
    await works(p)
    expect(rig.broker.dropped).toBe(1)
    // and it still resumes later, with an honest relay
    await event(await restart(p, 'dapp'), 'resumed')
    await works(p)
  })

  it('the relay drops resume message 1 once: the retry sends it again and the session recovers', async () => {
    const p = await pair()
    rig.broker.dropNth(MessageType.ResumeInit, 1)
    await event(await restart(p, 'wallet'), 'resumed')
    await works(p)
    expect(rig.broker.dropped).toBe(1)
  })

  it('the relay drops the first frame under the new keys: the responder keeps both generations, then commits', async () => {
    const p = await pair()
    rig.broker.dropNth(MessageType.Transport, 1) // the initiator's key confirmation (a bare ack)
    const dapp = await restart(p, 'dapp')
    await event(dapp, 'resumed')
    await works(p) // the request is the first frame the wallet authenticates under the new keys
    expect(rig.broker.dropped).toBe(1)
    expect(p.wallet.resumer.state.candidate).toBeNull()
    expect(p.wallet.resumer.state.current.gen).toBe(1)
    await event(await restart(p, 'dapp'), 'resumed')
    await works(p)
  })

  it('the initiator restarts before its confirmation arrives: it resumes again under the new generation', async () => {
    const p = await pair()
    rig.broker.drop = (payload) => payload[1] === MessageType.Transport // nothing under the new keys arrives
    await event(await restart(p, 'dapp'), 'resumed')
    expect(p.wallet.resumer.state.candidate?.gen).toBe(1) // the wallet holds both gen 0 and gen 1
    rig.broker.drop = () => false
    await event(await restart(p, 'dapp'), 'resumed') // under gen 1: for the wallet, that confirms it
    await works(p)
    expect(p.wallet.resumer.state.current.gen).toBe(2)
  })

  for (const side of ['dapp', 'wallet'] as const) {
    // A resume writes twice on each side: the attempt and the adoption, the answer and the commit.
    for (const nth of [1, 2]) {
      it(`bricked by a lost write (obs. 4): the ${side}'s write ${nth} of a resume fails, the session recovers`, async () => {
        const p = await pair()
        const d = p.disks[side]
        d.failAt.add(d.writes + nth)
        await event(await restart(p, 'dapp'), 'resumed')
        await works(p)
        await event(await restart(p, 'dapp'), 'resumed') // and from what the disks hold now
        await works(p)
      })

      it(`the ${side} stops at write ${nth} of a resume (killed) and restarts from its disk: the session recovers`, async () => {
        const p = await pair()
        const d = p.disks[side]
        d.failAt.add(d.writes + nth)
        const lost = new Promise<void>((resolve) => {
          d.onLost = resolve
        })
        await restart(p, 'dapp')
        await lost
        const resumed = event(side === 'wallet' ? p.dapp : p.wallet, 'resumed')
        await restart(p, side) // killed right at the lost write; its disk holds what landed before
        await resumed
        await works(p)
      })
    }
  }

  it('a replayed resume message 1 is harmless: same answer or none, no new generation, the session keeps working', async () => {
    const p = await pair()
    await event(await restart(p, 'dapp'), 'resumed')
    await works(p)
    const before = structuredClone(p.wallet.state())
    const m1 = rig.broker.seen.find((m) => m.payload[1] === MessageType.ResumeInit)
    expect(m1).toBeDefined()
    const replayer = client()
    const topic = before.resume?.retired[0]?.topics.d2w as string // where that message 1 went
    let takenOver = false
    p.wallet.on('takenOver', () => {
      takenOver = true
    })
    for (let i = 0; i < 3; i++) await replayer.publish(topic, m1?.payload as Uint8Array)
    await works(p)
    expect(takenOver).toBe(false)
    const after = p.wallet.state()
    expect(after.resume?.gen).toBe(before.resume?.gen)
    expect(after.topics).toEqual(before.topics)
    expect(after.resume?.candidate).toBeNull()
  })
})

describe('observation 8: a session whose frames keep failing re-runs the resume', () => {
  it('frames the dApp cannot open (epoch beyond its reach) make it resume; the wallet’s event arrives', async () => {
    const p = await pair({ rekey: { afterMessages: 1, afterSeconds: 600 } })
    let lost = 0
    const tenLost = new Promise<void>((resolve) => {
      rig.broker.drop = (payload) => {
        if (payload[1] !== MessageType.Transport || lost === 10) return false
        if (++lost === 10) resolve()
        return true
      }
    })
    for (let i = 0; i < 10; i++) p.wallet.sendUnreliable({ t: 'ack' }) // 10 epochs the dApp never sees
    await tenLost
    const resumed = event(p.dapp, 'resumed')
    const got = next(p.dapp, 'event')
    for (let i = 0; i < 3; i++) p.wallet.sendUnreliable({ t: 'ack' }) // epoch 11+: rejected, three times
    await p.wallet.send({ t: 'event', name: 'chainChanged', data: '0x1' })
    await resumed
    expect((await got).t).toBe('event')
  })
})
