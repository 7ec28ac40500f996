import {
  getAddress,
  getTypesForEIP712Domain,
  type Hex,
  hashTypedData,
  isAddress,
  isHex,
  validateTypedData,
} from 'viem'
import { chainNumber } from '../../messages/caip.js'
import { invalid } from './refuse.js'
import { approvedAccount, type ViewScope } from './scope.js'
import type { TypedDataField, TypedDataView } from './types.js'

type Method = TypedDataView['method']
type Domain = TypedDataView['domain']

const obj = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** A chain id as typed data spells it: a number, a decimal or hex string. */
function chainIdOf(v: unknown): number {
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^(0x[0-9a-fA-F]+|\d+)$/.test(v) ? Number(v) : NaN
  if (!Number.isSafeInteger(n) || n < 0) throw invalid('domain.chainId must be a chain number.')
  return n
}

function domainOf(d: unknown): Domain {
  if (d === undefined) return {}
  if (!obj(d)) throw invalid('The typed data domain must be an object.')
  const out: { -readonly [K in keyof Domain]: Domain[K] } = {}
  if (d.name !== undefined) out.name = String(d.name)
  if (d.version !== undefined) out.version = String(d.version)
  if (d.chainId !== undefined) out.chainId = chainIdOf(d.chainId)
  if (d.verifyingContract !== undefined) {
    if (typeof d.verifyingContract !== 'string' || !isAddress(d.verifyingContract, { strict: false }))
      throw invalid('domain.verifyingContract must be an address.')
    out.verifyingContract = getAddress(d.verifyingContract)
  }
  if (d.salt !== undefined) {
    if (typeof d.salt !== 'string' || !isHex(d.salt)) throw invalid('domain.salt must be hex.')
    out.salt = d.salt
  }
  return out
}

function typesOf(t: unknown, method: Method): Record<string, TypedDataField[]> {
  if (!obj(t)) throw invalid('The typed data needs `types`.')
  const out: Record<string, TypedDataField[]> = {}
  for (const [name, fields] of Object.entries(t)) {
    if (!Array.isArray(fields)) throw invalid(`types.${name} must be a list of fields.`)
    out[name] = fields.map((f) => {
      if (!obj(f) || typeof f.name !== 'string' || typeof f.type !== 'string')
        throw invalid(`types.${name} must be a list of { name, type }.`)
      // v3 is v4 without arrays (and v3 and v4 hash alike without them)
      if (method === 'eth_signTypedData_v3' && f.type.endsWith(']'))
        throw invalid('eth_signTypedData_v3 has no array types: use eth_signTypedData_v4.')
      return { name: f.name, type: f.type }
    })
  }
  return out
}

/**
 * eth_signTypedData_v4 / _v3 `[address, typedData]` (an object, or its JSON text). The domain's
 * chain, when it names one, must be the request's chain (§14.6): a permit for another chain is
 * refused before anyone sees it. An `EIP712Domain` type must list exactly the domain's fields.
 */
export function typedDataView(method: Method, params: unknown, scope: ViewScope): TypedDataView {
  const p = Array.isArray(params) ? params : []
  const account = approvedAccount(scope, p[0])
  let td: unknown = p[1]
  if (typeof td === 'string') {
    try {
      td = JSON.parse(td)
    } catch {
      throw invalid(`${method} needs [address, typed data as JSON].`)
    }
  }
  if (!obj(td)) throw invalid(`${method} needs [address, typed data].`)
  const domain = domainOf(td.domain)
  const chain = chainNumber(scope.chainId)
  if (domain.chainId !== undefined && domain.chainId !== chain)
    throw invalid(`The typed data is for chain ${domain.chainId}; this request is for chain ${chain}.`)
  const { EIP712Domain, ...types } = typesOf(td.types, method)
  const expected = getTypesForEIP712Domain({ domain: domain as never })
  if (EIP712Domain && JSON.stringify(EIP712Domain) !== JSON.stringify(expected))
    throw invalid('types.EIP712Domain does not list the fields of the domain.')
  const primaryType = td.primaryType
  if (typeof primaryType !== 'string' || !(primaryType in types))
    throw invalid('primaryType must name one of the types.')
  if (!obj(td.message)) throw invalid('The typed data needs `message`.')
  const message = td.message
  const typed = { domain, types, primaryType, message } as never
  let hash: Hex
  try {
    validateTypedData(typed)
    hash = hashTypedData(typed)
  } catch {
    throw invalid('The typed data does not match its types.')
  }
  return { kind: 'typedData', method, account, domain, primaryType, types, message, hash }
}
