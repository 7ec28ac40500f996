/**
 * The attacks of issue 11, each against a relay on real sockets, each with bystanders that must be
 * served at the same moment. No test waits on the wall clock: deadlines are configured short and
 * the tests wait for the close events they cause; token buckets read an injected clock.
 */
import { connect as tcpConnect } from 'node:net'
import {
  FakeClock,
  Harness,
  halfOpen,
  hex,
  metric,
  randomId,
  randomTopic,
  selfSignedCert,
  type TestClient,
  waitUntil,
} from '@pairline/testkit/relay'
import { encodePing } from '@pairline/wire'
import { afterEach, describe, expect, it } from 'vitest'
import type { Relay } from './relay.js'

const h = new Harness()
afterEach(() => h.cleanup())

const limitHits = (relay: Relay, name: string) =>
  metric(relay.metrics(), 'pairline_relay_limit_hits_total', `{limit="${name}"}`)
const gauge = (relay: Relay, name: string) => metric(relay.metrics(), `pairline_relay_${name}`)

/** A full round trip between two bystanders on a fresh topic: subscribe, publish, receive, ack. */
async function roundTrip(a: TestClient, b: TestClient): Promise<void> {
  const topic = randomTopic()
  const id = randomId()
  expect(await b.subscribe([topic])).toBe('OK')
  expect(await a.publish(topic, id, 60, new Uint8Array([1, 2, 3]))).toBe('OK')
  expect(hex((await b.nextMessage()).id)).toBe(hex(id))
  expect(await b.ack([{ topic, id }])).toBe('OK')
  expect(await b.unsubscribe([topic])).toBe('OK')
}

describe('attacks', () => {
  it('spoofed X-Forwarded-For: the client cannot choose its address behind a trusted proxy', async () => {
    const relay = await h.relay({ trustedProxies: ['127.0.0.1'], limits: { maxConnectionsPerIp: 2 } })
    const via = (xff: string) => h.client(relay, { headers: { 'x-forwarded-for': xff } })
    const [a, b] = await Promise.all([via('198.51.100.7'), via('198.51.100.8')])
    // Through the proxy (which appends the real address), the attacker writes a new first hop
    // every time: all of them are one client, 203.0.113.66.
    const attack = Promise.all(Array.from({ length: 12 }, (_, i) => via(`10.9.${i}.1, 203.0.113.66`)))
    const [sockets] = await Promise.all([attack, roundTrip(a, b)])
    const closes = await Promise.all(
      sockets.slice(2).map((c) => c.closed.then((x) => `${x.code} ${x.reason}`)),
    )
    expect(closes).toEqual(closes.map(() => '1008 too many connections from this address'))
    expect(await Promise.all(sockets.slice(0, 2).map((c) => c.ping()))).toEqual(['OK', 'OK'])
    // Directly (not through a trusted proxy), the header counts for nothing at all.
    const direct = (xff: string) =>
      h.client(relay, { localAddress: '127.0.0.9', headers: { 'x-forwarded-for': xff } })
    await direct('198.51.100.1')
    await direct('198.51.100.2')
    await expect(direct('198.51.100.3')).rejects.toThrow(/socket hang up|ECONNRESET/)
    await roundTrip(b, a)
    expect(limitHits(relay, 'connections_per_ip')).toBe(11)
  })

  it('slow upgrades: counted toward the per-IP limit while pending', async () => {
    // A deadline far beyond the test's, so nothing here depends on how fast the machine is.
    const relay = await h.relay({ limits: { upgradeTimeoutMs: 600_000, maxConnectionsPerIp: 4 } })
    const [a, b] = await Promise.all([h.client(relay), h.client(relay)])
    // The attacker holds upgrades half-way from 127.0.0.20: four pending count as its four slots.
    const held = await Promise.all(Array.from({ length: 4 }, () => halfOpen(relay, '127.0.0.20')))
    await waitUntil(() => gauge(relay, 'pending_upgrades') === 4)
    // more from the same address are closed at once, with no HTTP answer
    const more = await Promise.all(Array.from({ length: 6 }, () => halfOpen(relay, '127.0.0.20')))
    await Promise.all(more.map((s) => s.ended))
    for (const s of more) expect(s.received().length).toBe(0)
    expect(limitHits(relay, 'connections_per_ip')).toBe(6)
    // even a complete upgrade from that address is refused while its slots are held
    await expect(h.client(relay, { localAddress: '127.0.0.20' })).rejects.toThrow(/socket hang up|ECONNRESET/)
    // the bystanders are served meanwhile, from their own address
    await roundTrip(a, b)
    for (const s of held) s.socket.destroy()
    await waitUntil(() => gauge(relay, 'pending_upgrades') === 0)
    expect(await (await h.client(relay, { localAddress: '127.0.0.20' })).ping()).toBe('OK')
  })

  it('slow upgrades: dropped at the deadline (upgradeTimeoutMs), and the address gets its slots back', async () => {
    const clock = new FakeClock()
    const relay = await h.relay({
      now: clock.now,
      limits: { upgradeTimeoutMs: 5000, maxConnectionsPerIp: 4 },
    })
    const [a, b] = await Promise.all([h.client(relay), h.client(relay)])
    const held = await Promise.all(Array.from({ length: 4 }, () => halfOpen(relay, '127.0.0.20')))
    // a client that sends nothing at all is held no longer
    const silent = await halfOpen(relay, '127.0.0.21', '')
    await waitUntil(() => gauge(relay, 'pending_upgrades') === 5)
    clock.advance(4999)
    await relay.sweep()
    expect(gauge(relay, 'pending_upgrades')).toBe(5) // not yet
    const bystanders = roundTrip(a, b)
    clock.advance(1)
    await relay.sweep()
    // the relay drops them: the test waits for the closes it causes, not for a time
    await Promise.all([...held, silent].map((s) => s.ended))
    await bystanders
    for (const s of held) expect(s.received().length).toBe(0)
    expect(limitHits(relay, 'upgrade_timeout')).toBe(5)
    expect(gauge(relay, 'pending_upgrades')).toBe(0)
    const back = await Promise.all(
      Array.from({ length: 4 }, () => h.client(relay, { localAddress: '127.0.0.20' })),
    )
    expect(await Promise.all(back.map((c) => c.ping()))).toEqual(['OK', 'OK', 'OK', 'OK'])
    await roundTrip(b, a)
  })

  it('slow upgrades: at most maxPendingUpgrades in all, whatever the addresses', async () => {
    const relay = await h.relay({ limits: { upgradeTimeoutMs: 600_000, maxPendingUpgrades: 3 } })
    const [a, b] = await Promise.all([h.client(relay), h.client(relay)])
    const held = await Promise.all([21, 22, 23].map((n) => halfOpen(relay, `127.0.0.${n}`)))
    await waitUntil(() => gauge(relay, 'pending_upgrades') === 3)
    const refused = await halfOpen(relay, '127.0.0.24')
    await refused.ended
    expect(limitHits(relay, 'pending_upgrades')).toBe(1)
    await roundTrip(a, b) // open connections are not pending: unaffected
    for (const s of held) s.socket.destroy()
    await waitUntil(() => gauge(relay, 'pending_upgrades') === 0)
    expect(await (await h.client(relay, { localAddress: '127.0.0.24' })).ping()).toBe('OK')
  })

  it('a malformed flood: answered within the bad-frame budget, then closed (1008); nobody else pays', async () => {
    const clock = new FakeClock()
    const relay = await h.relay({ now: clock.now, limits: { badFrameBurst: 20 } })
    const [a, b] = await Promise.all([h.client(relay), h.client(relay)])
    const flood = await h.client(relay, { localAddress: '127.0.0.30' })
    const garbage = new Uint8Array([0x07, 0, 0, 0, 1])
    for (let i = 0; i < 20_000 && flood.isOpen; i++) flood.raw(garbage)
    await roundTrip(a, b)
    expect(await flood.closed).toEqual({ code: 1008, reason: 'too many bad frames' })
    // 20 answers (the budget), not 20,000; the 21st bad frame closed the connection
    expect(metric(relay.metrics(), 'pairline_relay_errors_total', '{code="MALFORMED_FRAME"}')).toBe(20)
    expect(limitHits(relay, 'bad_frames')).toBe(1)
    // the budget refills slowly (1/s), and it is per connection
    const again = await h.client(relay, { localAddress: '127.0.0.30' })
    again.raw(garbage)
    expect((await again.nextError()).name).toBe('MALFORMED_FRAME')
    expect(await again.ping()).toBe('OK')
    await roundTrip(b, a)
  })

  it('frames over the frame rate spend the bad-frame budget too (rate limit before decoding)', async () => {
    const clock = new FakeClock()
    const relay = await h.relay({ now: clock.now, limits: { frameBurst: 5, badFrameBurst: 3 } })
    const [a, b] = await Promise.all([h.client(relay), h.client(relay)])
    const fast = await h.client(relay)
    for (let rid = 1; rid <= 20; rid++) fast.raw(encodePing(rid))
    const replies: string[] = []
    for (let i = 0; i < 8; i++) {
      const r = await fast.nextReply()
      replies.push(r.type === 'OK' ? `OK ${r.rid}` : `${r.name} ${r.rid}`)
    }
    expect(replies).toEqual([
      'OK 1',
      'OK 2',
      'OK 3',
      'OK 4',
      'OK 5',
      'RATE_LIMITED 6',
      'RATE_LIMITED 7',
      'RATE_LIMITED 8',
    ])
    expect(await fast.closed).toEqual({ code: 1008, reason: 'too many bad frames' })
    await roundTrip(a, b)
  })

  it('a foreign ack: someone who knows a topic cannot delete its messages without subscribing', async () => {
    const relay = await h.relay()
    const [a, b] = await Promise.all([h.client(relay), h.client(relay)])
    const [dapp, attacker] = await Promise.all([
      h.client(relay),
      h.client(relay, { localAddress: '127.0.0.40' }),
    ])
    const topic = randomTopic() // the wallet's topic; the wallet is offline
    const id = randomId()
    expect(await dapp.publish(topic, id, 60, new Uint8Array([9]))).toBe('OK')
    const [acked] = await Promise.all([attacker.ack([{ topic, id }]), roundTrip(a, b)])
    expect(acked).toBe('NOT_SUBSCRIBED')
    expect(gauge(relay, 'mailbox_messages')).toBe(1)
    expect(limitHits(relay, 'foreign_ack')).toBe(1)
    // the wallet comes back and gets its message
    const wallet = await h.client(relay)
    expect(await wallet.subscribe([topic])).toBe('OK')
    expect(hex((await wallet.nextMessage()).id)).toBe(hex(id))
    expect(await wallet.ack([{ topic, id }])).toBe('OK')
    expect(gauge(relay, 'mailbox_messages')).toBe(0)
  })
})

describe('client addresses', () => {
  it('IPv6 clients are counted per /64 by default, per address with ipv6PrefixLength 128', async () => {
    const opts = { trustedProxies: ['127.0.0.1'], limits: { maxConnectionsPerIp: 1 } }
    const relay = await h.relay(opts)
    const via = (r: Relay, xff: string) => h.client(r, { headers: { 'x-forwarded-for': xff } })
    const first = await via(relay, '2001:db8:1:2::1')
    const sameNet = await via(relay, '2001:db8:1:2:ffff::9')
    const otherNet = await via(relay, '2001:db8:1:3::1')
    expect((await sameNet.closed).code).toBe(1008)
    await roundTrip(first, otherNet)
    const exact = await h.relay({ ...opts, limits: { ...opts.limits, ipv6PrefixLength: 128 } })
    const [x, y] = [await via(exact, '2001:db8:1:2::1'), await via(exact, '2001:db8:1:2::2')]
    await roundTrip(x, y)
  })

  it('PROXY protocol v1 and v2: the address comes from the header; no header, no connection', async () => {
    const relay = await h.relay({ proxyProtocol: true, limits: { maxConnectionsPerIp: 1 } })
    const v1 = (src: string) => Buffer.from(`PROXY TCP4 ${src} 127.0.0.1 40000 443\r\n`)
    const v2 = (src: number[]) =>
      Buffer.concat([
        Buffer.from('0d0a0d0a000d0a515549540a2111000c', 'hex'),
        Buffer.from([...src, 127, 0, 0, 1, 0x9c, 0x40, 0x01, 0xbb]),
      ])
    const through = (header: Buffer) =>
      h.client(relay.url, {
        createConnection: (o: { port?: number; host?: string }) => {
          const s = tcpConnect(o.port ?? relay.port, '127.0.0.1')
          s.write(header)
          return s
        },
      } as never)
    const a = await through(v1('192.0.2.1'))
    const b = await through(v2([192, 0, 2, 2]))
    await roundTrip(a, b)
    // the same address again (v1 or v2) is over the limit of 1: closed before any HTTP
    await expect(through(v2([192, 0, 2, 1]))).rejects.toThrow(/socket hang up|ECONNRESET/)
    await expect(h.client(relay)).rejects.toThrow(/socket hang up|ECONNRESET/) // no header
    expect(metric(relay.metrics(), 'pairline_relay_drops_total', '{reason="proxy_header"}')).toBe(1)
    await roundTrip(b, a)
  })
})

describe('TLS', () => {
  it('terminates TLS itself (wss://) with a PEM certificate and key', async () => {
    const tls = selfSignedCert()
    try {
      const relay = await h.relay({ tls: { cert: tls.cert, key: tls.key } })
      expect(relay.url).toBe(`wss://127.0.0.1:${relay.port}`)
      const [a, b] = await Promise.all([h.client(relay, { ca: tls.cert }), h.client(relay, { ca: tls.cert })])
      await roundTrip(a, b)
      // a client that does not trust the certificate gets no connection
      await expect(h.client(relay)).rejects.toThrow(/self-signed certificate/)
      // plain ws:// to a TLS port is not served either, and bystanders do not notice
      await expect(h.client(`ws://127.0.0.1:${relay.port}`)).rejects.toThrow()
      await roundTrip(b, a)
    } finally {
      tls.remove()
    }
  })
})
