import { describe, expect, it } from 'vitest'
import { createAddressPolicy, limitKeyOf, normalizeAddress } from './address.js'

describe('client address (rightmost hop not added by a trusted proxy)', () => {
  const policy = createAddressPolicy(['10.0.0.0/8', '192.0.2.1', '2001:db8:ffff::/48'], 64)

  it.each([
    // [peer, X-Forwarded-For, client address]
    ['203.0.113.9', undefined, '203.0.113.9'],
    ['203.0.113.9', '198.51.100.1', '203.0.113.9'], // peer not trusted: the header is ignored
    ['10.1.2.3', '198.51.100.1', '198.51.100.1'],
    ['10.1.2.3', '6.6.6.6, 198.51.100.1', '198.51.100.1'], // the client wrote 6.6.6.6 itself
    ['10.1.2.3', '6.6.6.6, 198.51.100.1, 10.9.9.9', '198.51.100.1'], // two trusted hops
    ['10.1.2.3', '6.6.6.6,198.51.100.1,192.0.2.1', '198.51.100.1'],
    ['10.1.2.3', ['6.6.6.6', '198.51.100.1'], '198.51.100.1'], // repeated headers are one list
    ['10.1.2.3', '10.0.0.5, 10.0.0.6', '10.0.0.5'], // all trusted: the leftmost
    ['10.1.2.3', 'not-an-ip', '10.1.2.3'], // garbage where a proxy writes addresses: the proxy
    ['10.1.2.3', '', '10.1.2.3'],
    ['::ffff:10.1.2.3', '198.51.100.1', '198.51.100.1'], // IPv4 on a dual-stack socket
    ['2001:db8:ffff:1::7', '2001:db8:1:2::3', '2001:db8:1:2::3'],
    ['10.1.2.3', '[2001:db8:1:2::3]', '2001:db8:1:2::3'],
  ])('peer %s, X-Forwarded-For %j: %s', (peer, xff, expected) => {
    expect(policy.clientAddress(peer, xff)).toBe(expected)
  })

  it('without trusted proxies, never reads the header', () => {
    expect(createAddressPolicy([], 64).clientAddress('127.0.0.1', '203.0.113.1')).toBe('127.0.0.1')
  })

  it('normalizes IPv4-mapped addresses, brackets and zone ids', () => {
    expect(normalizeAddress('::FFFF:192.0.2.1')).toBe('192.0.2.1')
    expect(normalizeAddress('[::1]')).toBe('::1')
    expect(normalizeAddress('fe80::1%eth0')).toBe('fe80::1')
  })
})

describe('limit keys (IPv6 per prefix)', () => {
  it.each([
    ['192.0.2.1', 64, '192.0.2.1'],
    ['2001:db8:1:2:3:4:5:6', 64, '2001:db8:1:2:0:0:0:0/64'],
    ['2001:db8:1:2::ffff', 64, '2001:db8:1:2:0:0:0:0/64'],
    ['2001:db8:1:2:8000::', 56, '2001:db8:1:0:0:0:0:0/56'],
    ['2001:db8:1:2ff::', 56, '2001:db8:1:200:0:0:0:0/56'],
    ['::1', 128, '0:0:0:0:0:0:0:1/128'],
    ['::', 64, '0:0:0:0:0:0:0:0/64'],
    ['64:ff9b::192.0.2.1', 128, '64:ff9b:0:0:0:0:c000:201/128'],
    ['1:2:3:4:5:6:192.0.2.1', 112, '1:2:3:4:5:6:c000:0/112'],
    ['2001:db8::1', 1, '0:0:0:0:0:0:0:0/1'],
    ['fe80::1', 3, 'e000:0:0:0:0:0:0:0/3'],
  ])('%s /%i is %s', (address, prefix, key) => {
    expect(limitKeyOf(address, prefix)).toBe(key)
  })

  it('two addresses of one /64 share a key; of two /64s they do not', () => {
    const p = createAddressPolicy([], 64)
    expect(p.limitKey('2001:db8:1:2::1')).toBe(p.limitKey('2001:db8:1:2:ffff:ffff:ffff:ffff'))
    expect(p.limitKey('2001:db8:1:2::1')).not.toBe(p.limitKey('2001:db8:1:3::1'))
  })
})
