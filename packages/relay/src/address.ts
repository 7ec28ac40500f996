import { BlockList, isIPv4, isIPv6 } from 'node:net'
import { RelayError, RelayFailure } from './errors.js'

/**
 * Client addresses (docs/PROTOCOL.md §13.5, "Client addresses"). The address a limit counts is the
 * rightmost X-Forwarded-For hop that was not added by a trusted proxy: each trusted proxy appends
 * the address of its own TCP peer, so walking from the socket's peer to the left and stopping at
 * the first address that is not a trusted proxy gives the first hop nobody trusted wrote, which
 * is as far as anything in the header can be believed. The leftmost hops are whatever the client
 * sent, and taking the first one (as before) let any client pick its own address.
 */
export type AddressPolicy = {
  /** The client's address, from the socket peer and the X-Forwarded-For header (if any). */
  clientAddress(peer: string, forwardedFor: string | readonly string[] | undefined): string
  /** True when `address` is a configured trusted proxy. */
  isTrustedProxy(address: string): boolean
  /** The key per-IP limits count: the address itself for IPv4, its prefix for IPv6. */
  limitKey(address: string): string
}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is 192.0.2.1; zone ids are dropped. */
export function normalizeAddress(address: string): string {
  const a = address.trim().toLowerCase()
  const bare = a.startsWith('[') && a.endsWith(']') ? a.slice(1, -1) : a
  if (bare.startsWith('::ffff:') && isIPv4(bare.slice(7))) return bare.slice(7)
  const zone = bare.indexOf('%')
  return zone < 0 ? bare : bare.slice(0, zone)
}

/** The eight 16-bit groups of an IPv6 address (already checked with isIPv6). */
function ipv6Groups(address: string): number[] {
  let text = address
  let tail: number[] = []
  const lastColon = text.lastIndexOf(':')
  const v4 = text.slice(lastColon + 1)
  if (isIPv4(v4)) {
    const [a = 0, b = 0, c = 0, d = 0] = v4.split('.').map(Number)
    tail = [(a << 8) | b, (c << 8) | d]
    text = text.slice(0, lastColon + 1)
    if (!text.endsWith('::')) text = text.slice(0, -1)
  }
  const split = (s: string) => (s === '' ? [] : s.split(':').map((g) => Number.parseInt(g, 16)))
  const double = text.indexOf('::')
  if (double < 0) return [...split(text), ...tail]
  const left = split(text.slice(0, double))
  const right = [...split(text.slice(double + 2)), ...tail]
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right]
}

/** IPv6 addresses masked to `prefixLength` bits, written as `groups/prefix`; IPv4 as they are. */
export function limitKeyOf(address: string, prefixLength: number): string {
  if (!isIPv6(address)) return address
  const groups = ipv6Groups(address)
  const masked = groups.map((g, i) => {
    const bits = Math.min(16, Math.max(0, prefixLength - i * 16))
    return bits === 0 ? 0 : g & (0xffff << (16 - bits)) & 0xffff
  })
  return `${masked.map((g) => g.toString(16)).join(':')}/${prefixLength}`
}

/** A BlockList of the trusted proxies: each entry an address or a CIDR, IPv4 or IPv6. */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList()
  for (const raw of entries) {
    const entry = raw.trim()
    const [address = '', prefix] = entry.split('/')
    const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : null
    const bits = prefix === undefined ? null : /^\d{1,3}$/.test(prefix) ? Number(prefix) : Number.NaN
    const max = family === 'ipv4' ? 32 : 128
    if (family === null || (bits !== null && !(bits >= 0 && bits <= max))) {
      throw new RelayError(
        RelayFailure.InvalidOption,
        'A trusted proxy must be an IP address or a CIDR range.',
        { details: `got ${JSON.stringify(raw)}` },
      )
    }
    if (bits === null) list.addAddress(address, family)
    else list.addSubnet(address, bits, family)
  }
  return list
}

export function createAddressPolicy(
  trustedProxies: readonly string[],
  ipv6PrefixLength: number,
): AddressPolicy {
  const list = trustedProxies.length > 0 ? trustedProxyList(trustedProxies) : null
  const isTrustedProxy = (address: string): boolean => {
    if (!list) return false
    if (isIPv4(address)) return list.check(address, 'ipv4')
    return isIPv6(address) && list.check(address, 'ipv6')
  }
  return {
    isTrustedProxy,
    limitKey: (address) => limitKeyOf(address, ipv6PrefixLength),
    clientAddress(peer, forwardedFor) {
      let address = normalizeAddress(peer)
      if (!list || forwardedFor === undefined) return address
      const hops = (typeof forwardedFor === 'string' ? [forwardedFor] : forwardedFor).join(',').split(',')
      while (isTrustedProxy(address) && hops.length > 0) {
        const hop = normalizeAddress(hops.pop() as string)
        // A trusted proxy writes its peer's address: anything else there is not worth believing.
        if (!isIPv4(hop) && !isIPv6(hop)) break
        address = hop
      }
      return address
    },
  }
}
