import { createRelay, type Relay } from '@pairline/relay'
import { LossyBroker } from '@pairline/testkit/relay'
import { afterEach, beforeEach } from 'vitest'
import type { Channel } from '../channel/channel.js'
import type { ChannelOptions } from '../channel/options.js'
import type { DeviceKey } from '../keys/device.js'
import type { SessionMessage } from '../messages/envelope.js'
import { getRandomSource } from '../protocol/random.js'
import { createRelayClient, type RelayClient } from '../transport/index.js'

/*
 * What the resume tests (resume.test.ts, resumeAttacks.test.ts) share: channels over a real relay
 * whose broker can lose and replay (a new relay per test), closed after each test. Test code only:
 * `*.fixture.ts` is neither built nor published.
 */

export const random = getRandomSource()
export const now = () => Date.now() / 1000

export interface ResumeRig {
  /** This test's broker (drop, dropNth, seen). */
  readonly broker: LossyBroker
  /** Channels to close after the test. */
  readonly channels: Channel[]
  /** A relay client on this test's relay, closed after the test. */
  client(): RelayClient
  /** A channel's options on a new client: `save` is the side's storage, `extra` anything else. */
  options(
    device: DeviceKey,
    save: NonNullable<ChannelOptions['save']>,
    extra?: Partial<ChannelOptions>,
  ): ChannelOptions
}

/** Call at the file's top level. */
export function useResumeRig(): ResumeRig {
  let broker: LossyBroker | undefined
  let relay: Relay | undefined
  const clients: RelayClient[] = []
  const channels: Channel[] = []
  beforeEach(async () => {
    broker = new LossyBroker()
    relay = await createRelay({ port: 0, broker })
  })
  afterEach(async () => {
    await Promise.all(channels.splice(0).map((c) => c.close()))
    await Promise.all(clients.splice(0).map((c) => c.close()))
    await relay?.close()
  })
  const client = (): RelayClient => {
    const c = createRelayClient({ url: (relay as Relay).url })
    clients.push(c)
    return c
  }
  return {
    get broker() {
      return broker as LossyBroker
    },
    channels,
    client,
    options: (device, save, extra = {}) => ({
      relay: client(),
      randomBytes: random,
      now,
      device,
      resumeRetryMs: 20,
      ...extra,
      save,
    }),
  }
}

/** The next session message of type `t` that `c` delivers. */
export function next(c: Channel, t: string): Promise<SessionMessage> {
  return new Promise((resolve) => {
    const on = (m: SessionMessage) => {
      if (m.t !== t) return
      c.off('message', on)
      resolve(m)
    }
    c.on('message', on)
  })
}

export function event<T = void>(c: Channel, name: 'resumed' | 'takenOver' | 'error'): Promise<T> {
  return new Promise((resolve) => c.once(name, resolve as () => void))
}
