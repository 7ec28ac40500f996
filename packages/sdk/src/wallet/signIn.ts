import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { Approve } from '../messages/bodies.js'
import { addressOf, chainNumber } from '../messages/caip.js'
import { type SignInRequest, signInMessage } from '../protocol/signIn.js'
import type { AccountSet } from './accounts.js'

/** A proposal's sign-in request, as the wallet shows it with the proposal (EIP-4361). */
export type WalletSignIn = {
  /** what the dApp asked for (domain, statement, nonce, times: self-declared, like its metadata) */
  readonly request: SignInRequest
  /**
   * The exact message `approve()` signs for these accounts and chain (default: the wallet's first
   * account and the proposal's first required chain). Show it with the proposal.
   */
  message(options?: { account?: `0x${string}`; chainId?: number | string }): string
}

export function walletSignIn(
  request: SignInRequest,
  defaults: { account: `0x${string}`; chainId: string },
): WalletSignIn {
  return {
    request,
    message: (o = {}) =>
      signInMessage(
        request,
        o.account ?? defaults.account,
        typeof o.chainId === 'number' ? o.chainId : chainNumber(o.chainId ?? defaults.chainId),
      ),
  }
}

/** The approval with its sign-in: the first approved account signs the message for the approved chain. */
export async function signedApproval(
  request: SignInRequest | undefined,
  answer: Approve,
  accounts: AccountSet,
): Promise<Approve> {
  if (!request) return answer
  const first = answer.accounts[0]
  const account = first ? accounts.find(addressOf(first)) : undefined
  if (!account?.signMessage)
    throw new PairlineError(
      ErrorCode.UnsupportedMethod,
      'This account cannot sign messages, so it cannot sign in.',
    )
  const message = signInMessage(request, account.address, chainNumber(answer.chainId))
  return { ...answer, signIn: { message, signature: await account.signMessage({ message }) } }
}
