import { createRelay, type Relay } from '@pairline/relay'
import { Clients, randomTopic } from '@pairline/testkit/transport'
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest'
import { createRelayClient } from './relayClient.js'
import type { RelayMessage } from './types.js'

let relay: Relay
const clients = new Clients(createRelayClient)
beforeAll(async () => {
  relay = await createRelay({ port: 0 })
})
afterEach(() => clients.cleanup())
afterAll(() => relay.close())

it('hands each message to the listener of its topic only (a map, not every listener)', async () => {
  const receiver = clients.create(relay.url)
  const sender = clients.create(relay.url)
  const [a, b] = [randomTopic(), randomTopic()]
  const toA: RelayMessage[] = []
  const toB: RelayMessage[] = []
  receiver.route(a, (m) => toA.push(m))
  const unrouteB = receiver.route(b, (m) => toB.push(m))
  await receiver.subscribe([a, b])
  const seen = (topic: string) =>
    new Promise<void>((resolve) => receiver.on('message', (m) => m.topic === topic && resolve()))
  const gotA = seen(a)
  await sender.publish(a, new Uint8Array([1]))
  await gotA
  expect([toA.length, toB.length]).toEqual([1, 0])
  // once unrouted, B's messages reach no route (still a 'message' event)
  unrouteB()
  const gotB = seen(b)
  await sender.publish(b, new Uint8Array([2]))
  await gotB
  expect([toA.length, toB.length]).toEqual([1, 0])
})

it('a topic has one route: a second is INVALID_ARGUMENT', () => {
  const c = clients.create(relay.url)
  const t = randomTopic()
  c.route(t, () => {})
  expect(() => c.route(t, () => {})).toThrow(
    expect.objectContaining({ code: 'INVALID_ARGUMENT', shortMessage: 'This topic already has a listener.' }),
  )
  expect(() => c.route('nope', () => {})).toThrow(
    expect.objectContaining({
      code: 'INVALID_ARGUMENT',
      shortMessage: 'A topic must be 32 bytes in base64url (43 characters).',
    }),
  )
})
