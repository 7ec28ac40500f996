import { type Account, isAddressEqual, isHex } from 'viem'
import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import type { Address } from '../messages/caip.js'

/** The wallet's viem accounts, looked up by address. */
export class AccountSet {
  readonly all: readonly Account[]

  constructor(accounts: readonly Account[]) {
    if (!Array.isArray(accounts) || accounts.length === 0)
      throw new PairlineError(
        ErrorCode.InvalidArgument,
        'createWallet needs at least one viem Account in `accounts`.',
      )
    for (const a of accounts) {
      if (typeof a?.address !== 'string' || !isHex(a.address))
        throw new PairlineError(
          ErrorCode.InvalidArgument,
          'Every entry of `accounts` must be a viem Account.',
        )
    }
    this.all = [...accounts]
  }

  find(address: unknown): Account | undefined {
    if (typeof address !== 'string' || !isHex(address)) return undefined
    return this.all.find((a) => isAddressEqual(a.address, address))
  }

  /** The wallet's own spelling of each address, each once; UNAUTHORIZED for one it cannot sign for. */
  resolve(addresses: readonly string[]): Address[] {
    const out: Address[] = []
    for (const address of addresses) {
      const account = this.find(address)
      if (!account)
        throw new PairlineError(ErrorCode.Unauthorized, 'The wallet cannot sign for that account.', {
          details: String(address),
        })
      if (!out.includes(account.address)) out.push(account.address)
    }
    if (out.length === 0)
      throw new PairlineError(ErrorCode.InvalidArgument, 'At least one account is needed.')
    return out
  }
}
