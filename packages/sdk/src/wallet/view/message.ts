import { type Hex, hexToString, isHex, size, stringToHex } from 'viem'
import { invalid } from './refuse.js'
import { approvedAccount, type ViewScope } from './scope.js'
import type { MessageView } from './types.js'

/**
 * Not shown as text: control characters other than tab, newline and carriage return; the
 * replacement character (invalid UTF-8); bidirectional overrides (they reorder what is shown).
 */
function printable(text: string): boolean {
  for (const ch of text) {
    const c = ch.codePointAt(0) as number
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || (c >= 0x7f && c < 0xa0)) return false
    if (c === 0xfffd || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) return false
  }
  return true
}

/** `raw` as text when it decodes as UTF-8 to printable text. */
function asText(raw: Hex): string | undefined {
  if (size(raw) === 0) return ''
  try {
    const text = hexToString(raw)
    return printable(text) ? text : undefined
  } catch {
    return undefined
  }
}

/**
 * personal_sign `[message, address]` (hex bytes, or text as some dApps send) and eth_sign
 * `[address, message]` (hex only): both sign `message` as an EIP-191 personal message.
 */
export function messageView(
  method: 'personal_sign' | 'eth_sign',
  params: unknown,
  scope: ViewScope,
): MessageView {
  const p = Array.isArray(params) ? params : []
  const [data, address] = method === 'personal_sign' ? [p[0], p[1]] : [p[1], p[0]]
  if (typeof data !== 'string' || (method === 'eth_sign' && !isHex(data)))
    throw invalid(
      method === 'personal_sign'
        ? 'personal_sign needs [message, address].'
        : 'eth_sign needs [address, message as hex].',
    )
  const account = approvedAccount(scope, address)
  const raw = isHex(data) ? (data.toLowerCase() as Hex) : stringToHex(data)
  if (raw.length % 2 !== 0) throw invalid(`${method} needs whole bytes of hex.`)
  const text = asText(raw)
  return {
    kind: 'message',
    method,
    account,
    raw,
    ...(text !== undefined ? { text } : {}),
    hashLike: size(raw) === 32,
  }
}
