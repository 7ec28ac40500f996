import type { Target } from './harness/types.js'
import { envelopeTarget, frameOpenTarget, frameTarget, paddingTarget } from './targets/frames.js'
import {
  helloMessageTarget,
  proposalMessageTarget,
  resumeInitTarget,
  resumeReplyTarget,
} from './targets/handshakes.js'
import { helloPayloadTarget, proposalPayloadTarget } from './targets/payloads.js'
import { recordTarget, rpcTransactionTarget, sessionMessageTarget } from './targets/session.js'
import { sealedBlobTarget } from './targets/stored.js'
import { uriTarget } from './targets/uri.js'
import { wireClientTarget, wireRelayTarget } from './targets/wire.js'

/** Every parser under fuzz. A new parser is one entry here (and `pnpm fuzz --write-corpus`). */
export const TARGETS: readonly Target[] = [
  uriTarget,
  envelopeTarget,
  paddingTarget,
  frameTarget,
  frameOpenTarget,
  helloMessageTarget,
  proposalMessageTarget,
  resumeInitTarget,
  resumeReplyTarget,
  helloPayloadTarget,
  proposalPayloadTarget,
  sessionMessageTarget,
  rpcTransactionTarget,
  recordTarget,
  sealedBlobTarget,
  wireClientTarget,
  wireRelayTarget,
]

/** FUZZ_TARGETS=uri,frame-open narrows a run (for replaying one target). */
export function selectedTargets(env = process.env.FUZZ_TARGETS): readonly Target[] {
  if (!env) return TARGETS
  const names = env.split(',').map((s) => s.trim())
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n))
  if (unknown.length > 0) throw new Error(`unknown fuzz target(s): ${unknown.join(', ')}`)
  return TARGETS.filter((t) => names.includes(t.name))
}

/** FUZZ_CASES (default 10^4: the CI run) and FUZZ_SEED (default: fresh, printed first). */
export function runSettings(env = process.env): { cases: number; seed: number } {
  const cases = env.FUZZ_CASES ? Number(env.FUZZ_CASES) : 10_000
  if (!Number.isSafeInteger(cases) || cases < 1) throw new Error(`FUZZ_CASES must be a positive integer`)
  const seed = env.FUZZ_SEED ? Number(env.FUZZ_SEED) : crypto.getRandomValues(new Uint32Array(1))[0]!
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 0xffffffff) throw new Error('FUZZ_SEED must be a u32')
  return { cases, seed }
}
