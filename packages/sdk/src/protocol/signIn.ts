import { check, malformed } from './json.js'

/**
 * Sign-in at connect (EIP-4361), as the dApp asks for it in its proposal (docs/PROTOCOL.md §4.3):
 * every field of the message except the account and chain, which the wallet's approval decides.
 */
export type SignInRequest = {
  /** RFC 3986 authority of the dApp, e.g. `dapp.example` */
  domain: string
  /** the resource signed in to, e.g. `https://dapp.example/login` */
  uri: string
  statement?: string
  /** alphanumeric, 8 to 64 characters, fresh for each pairing */
  nonce: string
  /** ISO 8601 UTC with milliseconds (`Date.prototype.toISOString`) */
  issuedAt: string
  expirationTime?: string
  notBefore?: string
  requestId?: string
  resources?: string[]
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
const AUTHORITY = /^[A-Za-z0-9.-]{1,253}(:\d{1,5})?$/
const URI = /^[a-z][a-z0-9+.-]*:[!-~]+$/
const NONCE = /^[A-Za-z0-9]{8,64}$/
// EIP-4361: the statement is "a human-readable ASCII assertion" and a request id is pchars. Printable
// ASCII only, so no character can break or reorder the lines the wallet shows: not just \n and \r
// but U+2028/U+2029, NEL, vertical tab, form feed and the bidi overrides (docs/PROTOCOL.md §14.7).
const PRINTABLE_LINE = /^[ -~]+$/

const iso = (v: unknown, p: string, what: string) => {
  const s = check.string(v, p, what, 24, ISO)
  // A real date, in its one spelling: Date.parse rolls 2030-02-30 over to 2 March, toISOString does not.
  const t = Date.parse(s)
  if (Number.isNaN(t) || new Date(t).toISOString() !== s) throw malformed(what, `${p} must be a date`)
  return s
}

/** Validates a proposal's `signIn` (the wallet builds the message from it). */
export function validateSignIn(v: unknown, path: string, what: string): SignInRequest {
  const o = check.object(v, path, what)
  check.keys(o, path, what, [
    'domain',
    'uri',
    'statement',
    'nonce',
    'issuedAt',
    'expirationTime',
    'notBefore',
    'requestId',
    'resources',
  ])
  const out: SignInRequest = {
    domain: check.string(o.domain, `${path}.domain`, what, 259, AUTHORITY),
    uri: check.string(o.uri, `${path}.uri`, what, 512, URI),
    nonce: check.string(o.nonce, `${path}.nonce`, what, 64, NONCE),
    issuedAt: iso(o.issuedAt, `${path}.issuedAt`, what),
  }
  if (o.statement !== undefined)
    out.statement = check.string(o.statement, `${path}.statement`, what, 512, PRINTABLE_LINE)
  if (o.expirationTime !== undefined)
    out.expirationTime = iso(o.expirationTime, `${path}.expirationTime`, what)
  if (o.notBefore !== undefined) out.notBefore = iso(o.notBefore, `${path}.notBefore`, what)
  if (o.requestId !== undefined)
    out.requestId = check.string(o.requestId, `${path}.requestId`, what, 128, PRINTABLE_LINE)
  if (o.resources !== undefined)
    out.resources = check.list(o.resources, `${path}.resources`, what, 8, (x, p) =>
      check.string(x, p, what, 512, URI),
    )
  return out
}

/**
 * The EIP-4361 message for `r`, signed in as `address` on `chainId`: the exact text (the same as
 * viem's `createSiweMessage` writes; a test holds them equal). Pure, so the dApp can compare the
 * message it receives with the one it asked for without viem.
 */
export function signInMessage(r: SignInRequest, address: string, chainId: number): string {
  const statement = r.statement ? `${r.statement}\n` : ''
  let text = `${r.domain} wants you to sign in with your Ethereum account:\n${address}\n\n${statement}\n`
  text += `URI: ${r.uri}\nVersion: 1\nChain ID: ${chainId}\nNonce: ${r.nonce}\nIssued At: ${r.issuedAt}`
  if (r.expirationTime) text += `\nExpiration Time: ${r.expirationTime}`
  if (r.notBefore) text += `\nNot Before: ${r.notBefore}`
  if (r.requestId) text += `\nRequest ID: ${r.requestId}`
  if (r.resources) text += `\nResources:${r.resources.map((x) => `\n- ${x}`).join('')}`
  return text
}
