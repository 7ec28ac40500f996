import { describe, expect, it } from 'vitest'
import { parseProxyHeader } from './proxyProtocol.js'

const SIG = Buffer.from('0d0a0d0a000d0a515549540a', 'hex')
const v2 = (cmd: number, fam: number, body: number[]) =>
  Buffer.concat([
    SIG,
    Buffer.from([0x20 | cmd, fam, body.length >> 8, body.length & 0xff]),
    Buffer.from(body),
  ])
const ipv4Body = [192, 0, 2, 7, 198, 51, 100, 1, 0x1f, 0x90, 0x01, 0xbb]
const ipv6Body = [
  0x20,
  0x01,
  0x0d,
  0xb8,
  ...new Array(11).fill(0),
  5,
  ...new Array(16).fill(0),
  0,
  80,
  1,
  187,
]

describe('PROXY protocol header', () => {
  it('v1 TCP4, TCP6 and UNKNOWN, with the bytes that follow', () => {
    const r = parseProxyHeader(Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\nGET /'))
    expect(r).toEqual({ state: 'done', address: '192.0.2.7', rest: Buffer.from('GET /') })
    expect(parseProxyHeader(Buffer.from('PROXY TCP6 2001:db8::5 2001:db8::1 1 2\r\n'))).toMatchObject({
      state: 'done',
      address: '2001:db8::5',
    })
    expect(parseProxyHeader(Buffer.from('PROXY UNKNOWN\r\n'))).toMatchObject({ state: 'done', address: null })
  })

  it('v2 PROXY over IPv4 and IPv6, LOCAL, and TLVs skipped', () => {
    expect(parseProxyHeader(Buffer.concat([v2(1, 0x11, ipv4Body), Buffer.from('x')]))).toEqual({
      state: 'done',
      address: '192.0.2.7',
      rest: Buffer.from('x'),
    })
    expect(parseProxyHeader(v2(1, 0x21, ipv6Body))).toMatchObject({ address: '2001:db8:0:0:0:0:0:5' })
    expect(parseProxyHeader(v2(0, 0x00, []))).toMatchObject({ state: 'done', address: null })
    expect(parseProxyHeader(v2(1, 0x11, [...ipv4Body, 0x04, 0, 1, 9]))).toMatchObject({
      address: '192.0.2.7',
    })
  })

  it('waits for more bytes while a prefix is still a possible header', () => {
    const whole = Buffer.from('PROXY TCP4 192.0.2.7 198.51.100.1 51234 443\r\n')
    for (let n = 0; n < whole.length; n++)
      expect(parseProxyHeader(whole.subarray(0, n)).state).toBe('partial')
    const bin = v2(1, 0x11, ipv4Body)
    for (let n = 0; n < bin.length; n++) expect(parseProxyHeader(bin.subarray(0, n)).state).toBe('partial')
  })

  it.each([
    ['GET / HTTP/1.1\r\n', 'no PROXY header'],
    ['PROXY TCP4 1.2.3 4.5.6.7 1 2\r\n', 'bad v1 header'],
    ['PROXY TCP4 192.0.2.7 198.51.100.1 1\r\n', 'bad v1 header'],
    ['PROXY TCP6 192.0.2.7 198.51.100.1 1 2\r\n', 'bad v1 header'],
    [`PROXY TCP4 ${'1'.repeat(120)}`, 'v1 header too long'],
  ])('refuses %j (%s)', (text, reason) => {
    expect(parseProxyHeader(Buffer.from(text))).toEqual({ state: 'invalid', reason })
  })

  it('refuses bad v2 versions, commands, lengths and short addresses', () => {
    const bad = Buffer.from(v2(1, 0x11, ipv4Body))
    bad[12] = 0x11 // version 1 in a v2 header
    expect(parseProxyHeader(bad)).toEqual({ state: 'invalid', reason: 'bad v2 version or command' })
    expect(parseProxyHeader(v2(2, 0x11, ipv4Body))).toEqual({
      state: 'invalid',
      reason: 'bad v2 version or command',
    })
    expect(parseProxyHeader(v2(1, 0x11, [1, 2, 3]))).toEqual({
      state: 'invalid',
      reason: 'short v2 IPv4 addresses',
    })
    expect(parseProxyHeader(v2(1, 0x21, ipv4Body))).toEqual({
      state: 'invalid',
      reason: 'short v2 IPv6 addresses',
    })
    const huge = Buffer.concat([SIG, Buffer.from([0x21, 0x11, 0x02, 0x01])])
    expect(parseProxyHeader(huge)).toEqual({ state: 'invalid', reason: 'v2 header too long' })
  })
})
