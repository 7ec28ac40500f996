/**
 * A minimal ERC-1271 contract account, hand-assembled (there is no solc here): its
 * `isValidSignature(bytes32 hash, bytes signature)` returns the magic value 0x1626ba7e only when
 * `signature` is 65 bytes (r, s, v) and `ecrecover(hash, v, r, s)` is the owner baked into the
 * code; otherwise 32 zero bytes. Every other call reverts. It signs nothing itself and holds no
 * funds: a test fixture for sign-in by a contract account (EIP-4361 verified through ERC-1271).
 * Like the simplest real wallets it checks the hash as given (a signature is not bound to this
 * account's address), which is fine for a test and not for production.
 *
 * Runtime code, offset / bytes / instruction / stack after it (top first):
 *
 *   00 6000        PUSH1 0x00
 *   02 35          CALLDATALOAD       word0
 *   03 60e0        PUSH1 0xe0
 *   05 1c          SHR                selector
 *   06 631626ba7e  PUSH4 0x1626ba7e
 *   0b 14          EQ                 selector == isValidSignature(bytes32,bytes)
 *   0c 6013        PUSH1 0x13
 *   0e 57          JUMPI              -> 0x13
 *   0f 6000        PUSH1 0x00
 *   11 80          DUP1
 *   12 fd          REVERT             any other call (no fallback, no receive)
 *   13 5b          JUMPDEST           isValidSignature:
 *   14 6004        PUSH1 0x04
 *   16 35          CALLDATALOAD       hash
 *   17 6000        PUSH1 0x00
 *   19 52          MSTORE             mem[0x00] = hash            (ecrecover input: hash, v, r, s)
 *   1a 6024        PUSH1 0x24
 *   1c 35          CALLDATALOAD       offset of `signature` (ABI head, from 0x04)
 *   1d 6004        PUSH1 0x04
 *   1f 01          ADD                p: where the signature's length is
 *   20 80          DUP1               p p
 *   21 35          CALLDATALOAD       length p
 *   22 6041        PUSH1 0x41
 *   24 14          EQ
 *   25 15          ISZERO             (length != 65) p
 *   26 606c        PUSH1 0x6c
 *   28 57          JUMPI              -> bad
 *   29 80          DUP1
 *   2a 6020        PUSH1 0x20
 *   2c 01          ADD
 *   2d 35          CALLDATALOAD       r p
 *   2e 6040        PUSH1 0x40
 *   30 52          MSTORE             mem[0x40] = r
 *   31 80          DUP1
 *   32 6040        PUSH1 0x40
 *   34 01          ADD
 *   35 35          CALLDATALOAD       s p
 *   36 6060        PUSH1 0x60
 *   38 52          MSTORE             mem[0x60] = s
 *   39 6060        PUSH1 0x60
 *   3b 01          ADD
 *   3c 35          CALLDATALOAD       (v in the top byte)
 *   3d 60f8        PUSH1 0xf8
 *   3f 1c          SHR                v
 *   40 6020        PUSH1 0x20
 *   42 52          MSTORE             mem[0x20] = v
 *   43 6020        PUSH1 0x20         retSize
 *   45 6080        PUSH1 0x80         retOffset
 *   47 6080        PUSH1 0x80         argsSize
 *   49 6000        PUSH1 0x00         argsOffset
 *   4b 6001        PUSH1 0x01         ecrecover precompile
 *   4d 5a          GAS
 *   4e fa          STATICCALL         success
 *   4f 50          POP                (a bad signature returns nothing: mem[0x80] stays 0)
 *   50 6080        PUSH1 0x80
 *   52 51          MLOAD              recovered address, or 0
 *   53 73<owner>   PUSH20 owner
 *   68 14          EQ
 *   69 6072        PUSH1 0x72
 *   6b 57          JUMPI              -> good
 *   6c 5b          JUMPDEST           bad:
 *   6d 6020        PUSH1 0x20
 *   6f 60a0        PUSH1 0xa0         (memory never written: 32 zero bytes)
 *   71 f3          RETURN             bytes4(0)
 *   72 5b          JUMPDEST           good:
 *   73 631626ba7e  PUSH4 0x1626ba7e
 *   78 60e0        PUSH1 0xe0
 *   7a 1b          SHL                magic, left-aligned (bytes4)
 *   7b 6000        PUSH1 0x00
 *   7d 52          MSTORE
 *   7e 6020        PUSH1 0x20
 *   80 6000        PUSH1 0x00
 *   82 f3          RETURN             bytes4(0x1626ba7e)
 *
 * Init code (11 bytes), then the runtime: copy the runtime (0x83 bytes at 0x0b) to memory 0 and
 * return it.
 *
 *   00 6083        PUSH1 0x83         size
 *   02 80          DUP1
 *   03 600b        PUSH1 0x0b         offset of the runtime in this code
 *   05 6000        PUSH1 0x00         destination
 *   07 39          CODECOPY
 *   08 6000        PUSH1 0x00
 *   0a f3          RETURN
 */

export type Hex = `0x${string}`

/** ERC-1271's magic value: `bytes4(keccak256("isValidSignature(bytes32,bytes)"))`. */
export const ERC1271_MAGIC = '0x1626ba7e'

/** The account's one function, for viem's readContract. */
export const erc1271AccountAbi = [
  {
    type: 'function',
    name: 'isValidSignature',
    stateMutability: 'view',
    inputs: [
      { name: 'hash', type: 'bytes32' },
      { name: 'signature', type: 'bytes' },
    ],
    outputs: [{ name: '', type: 'bytes4' }],
  },
] as const

/** The account's runtime code for `owner` (0x83 bytes; see the listing above). */
export function erc1271AccountRuntime(owner: Hex): Hex {
  if (!/^0x[0-9a-fA-F]{40}$/.test(owner)) throw new Error(`owner must be an address, got ${owner}`)
  const code = [
    '6000 35 60e0 1c 631626ba7e 14 6013 57', // 00-0e: selector == isValidSignature ? -> 13
    '6000 80 fd', //                            0f-12: revert
    '5b 6004 35 6000 52', //                    13-19: mem[0] = hash
    '6024 35 6004 01 80 35 6041 14 15 606c 57', // 1a-28: p; length != 65 -> bad
    '80 6020 01 35 6040 52', //                 29-30: mem[0x40] = r
    '80 6040 01 35 6060 52', //                 31-38: mem[0x60] = s
    '6060 01 35 60f8 1c 6020 52', //            39-42: mem[0x20] = v
    '6020 6080 6080 6000 6001 5a fa 50', //     43-4f: staticcall ecrecover -> mem[0x80]
    `6080 51 73${owner.slice(2).toLowerCase()} 14 6072 57`, // 50-6b: == owner ? -> good
    '5b 6020 60a0 f3', //                       6c-71: bad: return 32 zero bytes
    '5b 631626ba7e 60e0 1b 6000 52 6020 6000 f3', // 72-82: good: return the magic
  ]
    .join('')
    .replaceAll(' ', '')
  if (code.length !== 0x83 * 2) throw new Error(`runtime is ${code.length / 2} bytes, the listing says 0x83`)
  return `0x${code}`
}

/** The deployment code: the 11-byte init code (see the listing), then the runtime. */
export function erc1271AccountInitCode(owner: Hex): Hex {
  const init = '6083 80 600b 6000 39 6000 f3'.replaceAll(' ', '')
  return `0x${init}${erc1271AccountRuntime(owner).slice(2)}`
}
