/**
 * `@pairline/sdk/siwe`: verifies sign-in at connect (EIP-4361) with viem's SIWE helpers. Kept out
 * of `@pairline/sdk` and `/dapp`, which never import viem: a dApp that signs users in installs viem
 * and passes `signInVerifier: siweVerifier()` to createDapp.
 */
import { type Client, verifyMessage } from 'viem'
import { getChainId } from 'viem/actions'
import { parseSiweMessage, validateSiweMessage, verifySiweMessage } from 'viem/siwe'
import type { SignInCheck, SignInVerifier } from '../dapp/signIn.js'

export type { SignInCheck, SignInVerifier } from '../dapp/signIn.js'

/**
 * A verifier for `createDapp({ signInVerifier })`. With `client` (a viem client for the sign-in's
 * chain), a contract account's signature is checked through the chain (ERC-1271, and ERC-6492 for
 * one not deployed yet), an EOA's too; a sign-in for another chain than the client's is refused.
 * Without one, only an EOA's (ecrecover): a contract account's sign-in fails, and says it needs a
 * client. Either way the message must be valid at the check's time (expiry, not-before) for its
 * domain, nonce, address and chain. A refusal says why (SIGN_IN_FAILED's details).
 */
export function siweVerifier(options: { client?: Client } = {}): SignInVerifier {
  const { client } = options
  return async (c: SignInCheck) => {
    const parsed = parseSiweMessage(c.message)
    if (parsed.chainId !== c.chainId)
      return { failed: `the message is for chain ${parsed.chainId}, the approval for ${c.chainId}` }
    const expected = { domain: c.domain, nonce: c.nonce, address: c.address, time: c.time }
    if (!validateSiweMessage({ message: parsed, ...expected }))
      return {
        failed:
          'the message is not valid now (EIP-4361: expired, not yet valid, or another domain, nonce or address)',
      }
    if (client) {
      const chainId = client.chain?.id ?? (await getChainId(client))
      if (chainId !== c.chainId)
        return {
          failed: `the sign-in is for chain ${c.chainId}, the verifier’s client is for chain ${chainId}`,
        }
      const ok = await verifySiweMessage(client, { message: c.message, signature: c.signature, ...expected })
      return (
        ok || {
          failed: `the signature is not the account’s, checked through chain ${chainId} (ecrecover, ERC-1271, ERC-6492)`,
        }
      )
    }
    if (await verifyMessage({ address: c.address, message: c.message, signature: c.signature })) return true
    return {
      failed:
        'the signature is not by the account’s own key (ecrecover); a contract account’s sign-in (ERC-1271, ERC-6492) verifies only through its chain: siweVerifier({ client })',
    }
  }
}
