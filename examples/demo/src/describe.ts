import type { WalletRequest } from '@pairline/sdk/wallet'
import { formatEther, hexToBigInt, hexToString, isHex } from 'viem'

/**
 * What a wallet shows its user before approving a request: the method and, in plain words, what
 * signing it means. Parameters come from the dApp, so nothing here trusts their shape.
 */
export function describeRequest(req: WalletRequest): string[] {
  const p = Array.isArray(req.params) ? (req.params as unknown[]) : []
  const head = `${req.method} on ${req.chainId}`
  switch (req.method) {
    case 'personal_sign': {
      const [data, address] = p
      return [head, `sign the text ${quote(decodeText(data))}`, `as ${String(address)}`]
    }
    case 'eth_signTypedData_v4': {
      const [address, json] = p
      const typed = parseTyped(json)
      if (!typed) return [head, 'typed data that could not be parsed']
      const domain = typed.domain ?? {}
      const lines = [
        head,
        `sign typed data ${typed.primaryType ?? '?'} for ${domain.name ?? '?'} v${domain.version ?? '?'} (chain ${domain.chainId ?? '?'}, contract ${domain.verifyingContract ?? '-'})`,
      ]
      for (const [k, v] of Object.entries(typed.message ?? {})) lines.push(`  ${k}: ${fieldText(v)}`)
      lines.push(`as ${String(address)}`)
      return lines
    }
    case 'eth_sendTransaction':
    case 'eth_signTransaction': {
      const tx = (p[0] ?? {}) as Record<string, unknown>
      const value = typeof tx.value === 'string' && isHex(tx.value) ? hexToBigInt(tx.value) : 0n
      const data = typeof tx.data === 'string' ? tx.data : typeof tx.input === 'string' ? tx.input : '0x'
      return [
        head,
        `send ${formatEther(value)} ETH to ${String(tx.to ?? '(contract creation)')}`,
        `from ${String(tx.from ?? '(this account)')}${data !== '0x' ? `, with ${(data.length - 2) / 2} bytes of data` : ', no data'}`,
      ]
    }
    case 'wallet_switchEthereumChain':
    case 'wallet_addEthereumChain': {
      const id = (p[0] as { chainId?: unknown } | undefined)?.chainId
      const n = typeof id === 'string' && isHex(id) ? Number.parseInt(id, 16) : Number.NaN
      return [head, `switch the session to chain ${Number.isNaN(n) ? String(id) : `${n} (${String(id)})`}`]
    }
    default:
      return [head, `params ${truncate(JSON.stringify(req.params))}`]
  }
}

function decodeText(data: unknown): string {
  if (typeof data !== 'string') return String(data)
  if (!isHex(data)) return data
  try {
    const text = hexToString(data)
    // Not text (binary, a hash): show the hex as is.
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters mean "not text"
    return /[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text) ? data : text
  } catch {
    return data
  }
}

type Typed = {
  domain?: { name?: string; version?: string; chainId?: number | string; verifyingContract?: string }
  primaryType?: string
  message?: Record<string, unknown>
}

function parseTyped(json: unknown): Typed | null {
  try {
    const v = typeof json === 'string' ? JSON.parse(json) : json
    return typeof v === 'object' && v !== null ? (v as Typed) : null
  } catch {
    return null
  }
}

function fieldText(v: unknown): string {
  return typeof v === 'string' ? quote(v) : truncate(JSON.stringify(v))
}

function quote(text: string): string {
  return JSON.stringify(truncate(text, 200))
}

function truncate(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text
}
