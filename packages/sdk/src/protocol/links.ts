/**
 * Same-device links (docs/PROTOCOL.md §3.4): the "open in wallet" link a dApp offers on a phone,
 * what a wallet accepts from it, and the dApp's redirect back. Pure: strings in, strings out.
 */
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { Metadata } from './payloads.js'

const SCHEME = 'pairline:'

/**
 * The link that opens a wallet's declared universal link `base` (an https URL without a fragment;
 * http only on localhost)
 * with `uri` in the fragment (`#uri=`), so that it never reaches the wallet's web server or its
 * logs. Without a universal link, the `pairline:` URI itself is the link (any installed wallet).
 */
export function universalLink(uri: string, base: string): string {
  if (!uri.startsWith(SCHEME)) throw invalid('universalLink needs a pairline: URI.')
  const url = parseUrl(base)
  if (!url || !webOrigin(url) || base.includes('#'))
    throw invalid('A universal link must be an https URL without a fragment.')
  return `${base}#uri=${encodeURIComponent(uri)}`
}

/**
 * The pairing URI inside what a wallet was opened with: a `pairline:` URI, or a universal link
 * (https; http only on localhost) carrying it as `#uri=`. Undefined for anything else (the wallet then shows its normal screen);
 * the URI itself is checked by `wallet.pair` as a scanned one.
 */
export function pairingUriFromLink(link: string): string | undefined {
  if (link.startsWith(SCHEME)) return link
  const url = parseUrl(link)
  if (!url || !webOrigin(url)) return undefined
  const value = new URLSearchParams(url.hash.slice(1)).get('uri')
  return value?.startsWith(SCHEME) ? value : undefined
}

/**
 * Where a wallet may send its user back after approving: the dApp's `metadata.redirect`, only if
 * it is an https URL (http on localhost) on the very origin of `metadata.url`. Anything else is
 * undefined: a wallet never follows a redirect elsewhere (the metadata is self-declared, and an
 * open redirect would let a dApp page bounce the user to a look-alike site).
 */
export function redirectTarget(metadata: Metadata): string | undefined {
  if (metadata.redirect === undefined) return undefined
  const target = parseUrl(metadata.redirect)
  const home = parseUrl(metadata.url)
  if (!target || !home || !webOrigin(target) || target.origin !== home.origin) return undefined
  if (target.username || target.password) return undefined
  return target.href
}

/** https, or http on this machine only (a development wallet or dApp on localhost). */
function webOrigin(url: URL): boolean {
  if (url.protocol === 'https:') return true
  return url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1')
}

function parseUrl(s: string): URL | undefined {
  try {
    return new URL(s)
  } catch {
    return undefined
  }
}

const invalid = (message: string) => new PairlineError(ErrorCode.InvalidArgument, message)
