import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { Approve } from '../messages/bodies.js'
import { chainNumber, uniqueAddresses } from '../messages/caip.js'
import type { RandomBytes } from '../protocol/random.js'
import { type SignInRequest, signInMessage, validateSignIn } from '../protocol/signIn.js'
import { invalidArgument } from '../protocol/uri.js'

/** What `dapp.pair({ signIn })` asks the wallet to sign at approval (EIP-4361). */
export type SignInOptions = {
  /** shown to the user in the message, one line */
  statement?: string
  /** default: the host of the dApp's metadata url (set it to your page's `location.host`) */
  domain?: string
  /** default: the dApp's metadata url */
  uri?: string
  /**
   * Your server's nonce, when a backend checks the sign-in too (EIP-4361: 8 to 64 letters and
   * digits; use each once). Default: 12 random bytes, hex, fresh for each pairing.
   */
  nonce?: string
  resources?: readonly string[]
  requestId?: string
  /** how long the message is valid, seconds (default: the approval timeout) */
  expirationSeconds?: number
}

/** What the dApp's verifier is asked: is `signature` `address`'s over `message`, valid at `time`? */
export type SignInCheck = {
  message: string
  signature: `0x${string}`
  address: `0x${string}`
  chainId: number
  domain: string
  nonce: string
  time: Date
}
/**
 * Verifies a sign-in: `siweVerifier()` from `@pairline/sdk/siwe` (viem), or your own. Only `true`
 * accepts it; `false`, or `{ failed }` saying why (the SIGN_IN_FAILED error's details), refuses it.
 */
export type SignInVerifier = (check: SignInCheck) => Promise<boolean | { failed: string }>

/** A verified sign-in, on `DappSession.signIn`. */
export type SignIn = {
  readonly message: string
  readonly signature: `0x${string}`
  readonly address: `0x${string}`
  readonly chainId: number
}

const failed = (details: string, cause?: unknown) =>
  new PairlineError(ErrorCode.SignInFailed, 'The wallet’s sign-in did not verify: nothing was connected.', {
    details,
    ...(cause !== undefined ? { cause } : {}),
  })

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

/**
 * The proposal's `signIn`: a fresh nonce, issued now, expiring after `ttlSeconds`. Held to the
 * rules the wallet applies (§14.7), so that a bad option fails here (INVALID_ARGUMENT), not on the
 * wallet after the user scanned the code.
 */
export function signInRequest(
  o: SignInOptions,
  dappUrl: string,
  random: RandomBytes,
  nowSeconds: number,
  ttlSeconds: number,
): SignInRequest {
  const seconds = o.expirationSeconds ?? ttlSeconds
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > 604_800)
    throw invalidArgument('signIn.expirationSeconds must be 1 to 604800 (7 days).', `got ${seconds}`)
  const at = (s: number) => new Date(Math.floor(s) * 1000).toISOString()
  const request = {
    domain: o.domain ?? new URL(dappUrl).host,
    uri: o.uri ?? dappUrl,
    ...(o.statement !== undefined ? { statement: o.statement } : {}),
    nonce: o.nonce ?? hex(random(12)),
    issuedAt: at(nowSeconds),
    expirationTime: at(nowSeconds + seconds),
    ...(o.requestId !== undefined ? { requestId: o.requestId } : {}),
    ...(o.resources !== undefined ? { resources: [...o.resources] } : {}),
  }
  try {
    return validateSignIn(request, 'signIn', 'sign-in request')
  } catch (err) {
    const details = err instanceof PairlineError ? err.details : undefined
    throw invalidArgument('pair({ signIn }) has a field EIP-4361 does not allow.', details)
  }
}

/**
 * Checks the approval's sign-in against what was asked (docs/PROTOCOL.md §14.7): the message must
 * be exactly the one this dApp's request makes for the first approved account and the approved
 * chain (domain, nonce, statement, times: nothing changed), and the verifier must accept the
 * signature at `now`. SIGN_IN_FAILED otherwise.
 */
export async function checkSignIn(
  r: SignInRequest,
  a: Approve,
  verify: SignInVerifier,
  nowSeconds: number,
): Promise<SignIn> {
  if (!a.signIn) throw failed('the wallet approved without signing in')
  const address = uniqueAddresses(a.accounts)[0] as `0x${string}`
  const chainId = chainNumber(a.chainId)
  const { message, signature } = a.signIn
  if (message !== signInMessage(r, address, chainId))
    throw failed('the signed message is not the one the dApp asked for')
  let verdict: boolean | { failed: string }
  try {
    verdict = await verify({
      message,
      signature: signature as `0x${string}`,
      address,
      chainId,
      domain: r.domain,
      nonce: r.nonce,
      time: new Date(nowSeconds * 1000),
    })
  } catch (err) {
    throw failed('the verifier failed', err)
  }
  if (verdict !== true)
    throw failed(
      typeof verdict === 'object' && verdict !== null && typeof verdict.failed === 'string'
        ? verdict.failed
        : 'the signature does not verify for the account, or the message is not valid now',
    )
  return { message, signature: signature as `0x${string}`, address, chainId }
}
