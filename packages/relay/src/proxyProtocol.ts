import { isIPv4, isIPv6 } from 'node:net'

/**
 * The PROXY protocol header (HAProxy, versions 1 and 2: haproxy.org/download/2.9/doc/proxy-protocol.txt)
 * that a TCP load balancer sends before anything else, carrying the client's address. Pure: bytes
 * in, the address and the bytes after the header out. With `proxyProtocol` on, the relay requires
 * it on every connection, so only enable it when the relay is reachable through that proxy alone.
 */
export type ProxyHeader =
  | { state: 'partial' }
  | { state: 'invalid'; reason: string }
  /** `address` null: a LOCAL or UNKNOWN header (health checks); the socket's peer is used. */
  | { state: 'done'; address: string | null; rest: Buffer }

const V2_SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex')
const V1_PREFIX = Buffer.from('PROXY ', 'latin1')
/** v1: 107 bytes at most, CRLF included (spec §2.1). */
const V1_MAX = 107
/** v2: we accept up to this many bytes of addresses and TLVs after the 16-byte head. */
const V2_MAX_BODY = 512

function startsLike(b: Buffer, prefix: Buffer): boolean {
  const n = Math.min(b.length, prefix.length)
  return b.subarray(0, n).equals(prefix.subarray(0, n))
}

function parseV1(b: Buffer): ProxyHeader {
  const end = b.indexOf('\r\n')
  if (end < 0)
    return b.length >= V1_MAX ? { state: 'invalid', reason: 'v1 header too long' } : { state: 'partial' }
  if (end + 2 > V1_MAX) return { state: 'invalid', reason: 'v1 header too long' }
  const parts = b.subarray(0, end).toString('latin1').split(' ')
  const rest = b.subarray(end + 2)
  if (parts[1] === 'UNKNOWN') return { state: 'done', address: null, rest }
  const [, proto, src, dst, sport, dport] = parts
  const ok =
    parts.length === 6 &&
    ((proto === 'TCP4' && isIPv4(src ?? '') && isIPv4(dst ?? '')) ||
      (proto === 'TCP6' && isIPv6(src ?? '') && isIPv6(dst ?? ''))) &&
    /^\d{1,5}$/.test(sport ?? '') &&
    /^\d{1,5}$/.test(dport ?? '')
  return ok ? { state: 'done', address: src as string, rest } : { state: 'invalid', reason: 'bad v1 header' }
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = []
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16))
  return groups.join(':')
}

function parseV2(b: Buffer): ProxyHeader {
  if (b.length < 16) return { state: 'partial' }
  const version = b[12]! >> 4
  const command = b[12]! & 0x0f
  const family = b[13]!
  const length = b.readUInt16BE(14)
  if (version !== 2 || command > 1) return { state: 'invalid', reason: 'bad v2 version or command' }
  if (length > V2_MAX_BODY) return { state: 'invalid', reason: 'v2 header too long' }
  if (b.length < 16 + length) return { state: 'partial' }
  const body = b.subarray(16, 16 + length)
  const rest = b.subarray(16 + length)
  if (command === 0) return { state: 'done', address: null, rest } // LOCAL: the proxy itself
  if (family === 0x11 || family === 0x12) {
    if (length < 12) return { state: 'invalid', reason: 'short v2 IPv4 addresses' }
    return { state: 'done', address: [...body.subarray(0, 4)].join('.'), rest }
  }
  if (family === 0x21 || family === 0x22) {
    if (length < 36) return { state: 'invalid', reason: 'short v2 IPv6 addresses' }
    return { state: 'done', address: ipv6Text(body.subarray(0, 16)), rest }
  }
  return { state: 'done', address: null, rest } // UNSPEC or a unix socket: no IP to use
}

/** Reads a PROXY v1 or v2 header from the first bytes of a connection. */
export function parseProxyHeader(b: Buffer): ProxyHeader {
  if (b.length === 0) return { state: 'partial' }
  if (startsLike(b, V2_SIGNATURE)) return b.length < 12 ? { state: 'partial' } : parseV2(b)
  if (startsLike(b, V1_PREFIX)) return b.length < V1_PREFIX.length ? { state: 'partial' } : parseV1(b)
  return { state: 'invalid', reason: 'no PROXY header' }
}
