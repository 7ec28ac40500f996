import { describe, expect, it } from 'vitest'
import { ErrorCode, isPairlineError, PairlineError, ProviderRpcError, RpcCode } from './index.js'

describe('ProviderRpcError', () => {
  it('is a PairlineError with the EIP-1193 number as code and the SDK code as pairlineCode', () => {
    const cause = new TypeError('socket hang up')
    const err = new ProviderRpcError(
      RpcCode.ChainDisconnected,
      'The dApp’s RPC endpoint could not be reached.',
      {
        details: 'http://127.0.0.1:1',
        cause,
      },
    )
    expect(err).toBeInstanceOf(PairlineError)
    expect(err.name).toBe('ProviderRpcError')
    expect(err.code).toBe(4901)
    expect(err.pairlineCode).toBe(ErrorCode.Disconnected)
    expect(err.details).toBe('http://127.0.0.1:1')
    expect(err.message).toMatchInlineSnapshot(`
      "The dApp’s RPC endpoint could not be reached.

      Details: http://127.0.0.1:1
      Code: 4901"
    `)
    expect(err.walk()).toBe(cause)
    expect(isPairlineError(err)).toBe(true)
    expect(isPairlineError(err, ErrorCode.Disconnected)).toBe(true)
    expect(isPairlineError(err, ErrorCode.UserRejected)).toBe(false)
  })

  it.each([
    [RpcCode.UserRejected, ErrorCode.UserRejected],
    [RpcCode.Unauthorized, ErrorCode.Unauthorized],
    [RpcCode.UnsupportedMethod, ErrorCode.UnsupportedMethod],
    [RpcCode.Disconnected, ErrorCode.Disconnected],
    [RpcCode.UnrecognizedChain, ErrorCode.Unauthorized],
    [RpcCode.InvalidParams, ErrorCode.InvalidParams],
    [RpcCode.Internal, ErrorCode.InternalError],
    [RpcCode.RequestExpired, ErrorCode.RequestExpired],
    [3, ErrorCode.RpcError],
    [-32000, ErrorCode.RpcError],
  ])('maps %i to %s', (code, pairlineCode) => {
    const err = new ProviderRpcError(code, 'x', { data: '0x08c379a0' })
    expect(err.pairlineCode).toBe(pairlineCode)
    expect(err.data).toBe('0x08c379a0')
    expect(err.details).toBe('') // viem's ProviderRpcError type has a string `details`
  })

  it('takes an explicit pairlineCode (a 4900 after expiry is SESSION_EXPIRED)', () => {
    const err = new ProviderRpcError(RpcCode.Disconnected, 'The session expired.', {
      pairlineCode: ErrorCode.SessionExpired,
    })
    expect([err.code, err.pairlineCode, err.shortMessage]).toEqual([
      4900,
      'SESSION_EXPIRED',
      'The session expired.',
    ])
  })
})
