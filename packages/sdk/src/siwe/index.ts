/**
 * `@pairline/sdk/siwe`: verifies sign-in at connect (EIP-4361) with viem's SIWE helpers. Kept out
 * of `@pairline/sdk` and `/dapp`, which never import viem: a dApp that signs users in installs viem
 * and passes `signInVerifier: siweVerifier()` to createDapp.
 */
import { type Client, verifyMessage } from 'viem'
import { parseSiweMessage, validateSiweMessage, verifySiweMessage } from 'viem/siwe'
import type { SignInCheck, SignInVerifier } from '../dapp/signIn.js'

export type { SignInCheck, SignInVerifier } from '../dapp/signIn.js'

/**
 * A verifier for `createDapp({ signInVerifier })`. With `client` (a viem client for the chain), a
 * contract account's signature is checked through the chain (ERC-1271, ERC-6492); without one,
 * only an EOA's (ecrecover). Either way the message must be valid at the check's time (expiry,
 * not-before) for its domain, nonce, address and chain.
 */
export function siweVerifier(options: { client?: Client } = {}): SignInVerifier {
  return async (c: SignInCheck) => {
    const parsed = parseSiweMessage(c.message)
    if (parsed.chainId !== c.chainId) return false
    const expected = { domain: c.domain, nonce: c.nonce, address: c.address, time: c.time }
    if (!validateSiweMessage({ message: parsed, ...expected })) return false
    if (options.client)
      return verifySiweMessage(options.client, { message: c.message, signature: c.signature, ...expected })
    return verifyMessage({ address: c.address, message: c.message, signature: c.signature })
  }
}
