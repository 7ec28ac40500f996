import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { fromBase64Url } from './bytes.js'
import {
  BASE64URL_KEY,
  chainsProblem,
  expiryProblem,
  FIELDS,
  type Field,
  invalidArgument,
  KEY_LENGTH,
  MAX_URI_LENGTH,
  methodsProblem,
  type PairingUri,
  type ParsePairingUriOptions,
  POSITIVE_DECIMAL,
  REQUIRED_FIELDS,
  relayUrlProblem,
  SCHEME,
  SINGLE_LETTER,
  typeOf,
  URI_VERSION,
} from './uri.js'

function malformed(shortMessage: string, details?: string): PairlineError {
  return new PairlineError(ErrorCode.UriMalformed, shortMessage, { details })
}

function nonCanonical(details: string): PairlineError {
  return new PairlineError(ErrorCode.UriNonCanonical, 'The pairing URI is not in canonical form.', {
    details,
  })
}

/** Names an offending query key without echoing arbitrary text (it could be a piece of the psk). */
function describeKey(key: string): string {
  return SINGLE_LETTER.test(key) ? `field "${key}"` : `a field with a ${key.length}-character name`
}

function decodeKey(field: 's' | 'k', value: string): Uint8Array {
  const bytes = fromBase64Url(value)
  const rule = `field "${field}" must be 32 bytes of unpadded base64url (43 characters of A-Z a-z 0-9 - _)`
  if (bytes === null) {
    if (BASE64URL_KEY.test(value)) {
      throw nonCanonical(`field "${field}" has non-zero unused bits in its last base64url character`)
    }
    throw malformed(`The pairing URI field "${field}" is not valid base64url.`, rule)
  }
  if (bytes.length !== KEY_LENGTH) {
    throw malformed(
      `The pairing URI field "${field}" has the wrong length.`,
      `${rule}; got ${bytes.length} bytes`,
    )
  }
  return bytes
}

function decodeRelayUrl(raw: string): string {
  let url: string
  try {
    url = decodeURIComponent(raw)
  } catch {
    throw malformed('The pairing URI relay URL is not valid percent-encoding.', 'field "r" cannot be decoded')
  }
  const problem = relayUrlProblem(url)
  if (problem !== null) throw malformed('The pairing URI relay URL is invalid.', `field "r" ${problem}`)
  if (encodeURIComponent(url) !== raw) {
    throw nonCanonical('field "r" must be percent-encoded exactly as encodeURIComponent() encodes it')
  }
  return url
}

function decodeExpiry(raw: string): number {
  // 2^40 has 13 digits; the length test keeps Number() away from absurdly long digit strings.
  const expiresAt = POSITIVE_DECIMAL.test(raw) && raw.length <= 13 ? Number(raw) : Number.NaN
  const problem = expiryProblem(expiresAt)
  if (problem !== null) {
    throw malformed(
      'The pairing URI expiry is invalid.',
      `field "x" ${problem}, written in decimal without sign or leading zeros`,
    )
  }
  return expiresAt
}

function decodeList(field: 'c' | 'm', raw: string): string[] {
  const items = raw.split(',')
  const problem = field === 'c' ? chainsProblem(items) : methodsProblem(items)
  if (problem !== null) {
    const what = field === 'c' ? 'chain list' : 'method list'
    throw malformed(`The pairing URI ${what} is invalid.`, `field "${field}" ${problem}`)
  }
  return items
}

/**
 * Parses and strictly validates a pairing URI. Any deviation from the canonical form throws a
 * PairlineError (UriMalformed, UriUnsupportedVersion, UriNonCanonical; UriExpired when
 * `options.nowSeconds` is given and `nowSeconds >= expiresAt`). Key arrays are fresh copies.
 */
export function parsePairingUri(text: string, options: ParsePairingUriOptions = {}): PairingUri {
  const nowSeconds = options?.nowSeconds
  if (nowSeconds !== undefined && (typeof nowSeconds !== 'number' || !Number.isFinite(nowSeconds))) {
    throw invalidArgument('nowSeconds must be a finite number of unix seconds.', `got ${typeOf(nowSeconds)}`)
  }
  const values = readFields(queryOf(text))
  const uri: PairingUri = {
    version: URI_VERSION,
    responderStatic: decodeKey('s', values.s as string),
    psk: decodeKey('k', values.k as string),
    relayUrl: decodeRelayUrl(values.r as string),
    expiresAt: decodeExpiry(values.x as string),
  }
  if (values.c !== undefined) uri.chains = decodeList('c', values.c)
  if (values.m !== undefined) uri.methods = decodeList('m', values.m)

  if (nowSeconds !== undefined && nowSeconds >= uri.expiresAt) {
    throw new PairlineError(ErrorCode.UriExpired, 'The pairing URI has expired; show a fresh QR code.', {
      details: `it expired at ${uri.expiresAt}; now is ${nowSeconds}`,
    })
  }
  return uri
}

/** Checks the scheme, version and shape; returns the query (after "?"). */
function queryOf(text: string): string {
  if (typeof text !== 'string') {
    throw malformed('The pairing URI must be a string.', `got ${typeOf(text)}`)
  }
  if (text.length > MAX_URI_LENGTH) {
    throw malformed(
      'The pairing URI is too long.',
      `it has ${text.length} characters; the limit is ${MAX_URI_LENGTH}`,
    )
  }
  if (!text.startsWith(SCHEME)) {
    throw malformed(
      'The pairing URI does not start with "pairline:".',
      'expected "pairline:1?" and the fields',
    )
  }
  const queryStart = text.indexOf('?')
  const version = text.slice(SCHEME.length, queryStart < 0 ? undefined : queryStart)
  if (version !== String(URI_VERSION)) {
    if (POSITIVE_DECIMAL.test(version)) {
      throw new PairlineError(
        ErrorCode.UriUnsupportedVersion,
        `The pairing URI uses protocol version ${version.length <= 10 ? version : '(a huge number)'}, but this SDK only supports version ${URI_VERSION}.`,
        { details: 'the wallet or the dApp needs an update' },
      )
    }
    throw malformed(
      'The pairing URI has no valid version number after "pairline:".',
      'expected "pairline:1?" and the fields',
    )
  }
  if (queryStart < 0) throw malformed('The pairing URI has no fields.', 'expected "?" after "pairline:1"')
  if (text.includes('#'))
    throw malformed('The pairing URI must not contain a fragment (#).', 'remove the "#" and what follows')
  const query = text.slice(queryStart + 1)
  if (query === '') throw malformed('The pairing URI has no fields.', 'expected fields after "pairline:1?"')
  return query
}

/** Splits the query into its fields: known, once each, in order, non-empty, the required ones present. */
function readFields(query: string): Partial<Record<Field, string>> {
  const values: Partial<Record<Field, string>> = {}
  let lastIndex = -1
  for (const part of query.split('&')) {
    if (part === '') {
      throw malformed('The pairing URI has an empty component.', 'look for a doubled or trailing "&"')
    }
    const eq = part.indexOf('=')
    if (eq < 0)
      throw malformed('The pairing URI has a component without "=".', 'every field is written key=value')
    const key = part.slice(0, eq)
    const index = (FIELDS as readonly string[]).indexOf(key)
    const field = FIELDS[index]
    if (field === undefined) {
      throw malformed('The pairing URI has an unknown field.', `${describeKey(key)} is not part of version 1`)
    }
    if (values[field] !== undefined) {
      throw malformed('The pairing URI has a duplicated field.', `field "${field}" appears more than once`)
    }
    if (index < lastIndex) {
      throw malformed('The pairing URI has its fields out of order.', `the order is ${FIELDS.join(', ')}`)
    }
    const value = part.slice(eq + 1)
    if (value === '') throw malformed('The pairing URI has an empty field.', `field "${field}" has no value`)
    values[field] = value
    lastIndex = index
  }
  for (const field of REQUIRED_FIELDS) {
    if (values[field] === undefined) {
      throw malformed(
        `The pairing URI is missing the required field "${field}".`,
        'required fields: s, k, r, x',
      )
    }
  }

  return values
}
