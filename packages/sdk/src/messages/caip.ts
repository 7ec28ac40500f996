/** CAIP-10 account id for EVM: `eip155:<chain>:0x<40 hex>`. */
export const CAIP10 = /^[-a-z0-9]{3,8}:[-_a-zA-Z0-9]{1,32}:0x[0-9a-fA-F]{40}$/

export type Address = `0x${string}`

/** `eip155:1:0xabc…` → `0xabc…` */
export function addressOf(caip10: string): Address {
  return caip10.slice(caip10.lastIndexOf(':') + 1) as Address
}

/** 1 → `eip155:1`; `eip155:1` stays. */
export function toCaip2(chain: number | string): string {
  return typeof chain === 'number' ? `eip155:${chain}` : chain
}

export function chainNumber(caip2: string): number {
  return Number(caip2.slice(caip2.indexOf(':') + 1))
}

/** The addresses of CAIP-10 ids, each once, in first-seen order (case-insensitive). */
export function uniqueAddresses(list: readonly string[]): Address[] {
  const seen = new Set<string>()
  const out: Address[] = []
  for (const item of list) {
    const address = addressOf(item)
    if (seen.has(address.toLowerCase())) continue
    seen.add(address.toLowerCase())
    out.push(address)
  }
  return out
}

/** One CAIP-10 id per approved chain and address (what the approve message carries). */
export function toCaip10(chains: readonly string[], addresses: readonly Address[]): string[] {
  return chains.flatMap((c) => addresses.map((a) => `${c}:${a}`))
}
