import { PairlineError } from '../errors/base.js'
import { ErrorCode } from '../errors/codes.js'
import { concatBytes, toBase64Url, wipe } from '../protocol/bytes.js'
import type { TopicPair } from '../protocol/topics.js'

/** One generation of the resume secret: its number, its topics, and the 32-byte psk (secret). */
export type Generation = { gen: number; topics: TopicPair; psk: Uint8Array }

/** How many superseded generations each side keeps to recognise a cloned peer (§8.4). */
export const MAX_RETIRED = 2

/**
 * A session's resume state (docs/PROTOCOL.md §8.2). `current` is committed; `candidate` is the
 * generation this side created by answering the peer's attempt `n`, kept next to `current` until
 * the peer's first authenticated frame (or message 1) under it arrives; `retired` are superseded
 * generations, newest first, kept only to answer a clone with "superseded".
 */
export type ResumeState = {
  current: Generation
  candidate: (Generation & { n: number }) | null
  /** the last attempt this side started as initiator (persisted before its message 1 is sent) */
  attempt: number
  /** the highest attempt of the peer this side answered */
  peerAttempt: number
  /** the answer to attempt `peerAttempt`: sha256(message 1) and message 2, both public, base64url */
  answered: { msg1: string; msg2: string } | null
  retired: Generation[]
  /** device public keys, base64url (§8.3); `peer` is null until the peer's is known */
  device: { self: string; peer: string | null }
}

/** The JSON half of a stored resume state: everything but the psks. */
export type ResumeJson = {
  gen: number
  candidate: { gen: number; topics: TopicPair; n: number } | null
  attempt: number
  peerAttempt: number
  answered: { msg1: string; msg2: string } | null
  retired: { gen: number; topics: TopicPair }[]
  device: { self: string; peer: string | null }
}

/** The state right after pairing: generation 0, nothing pending, the peer's device key not yet known. */
export function initialResumeState(topics: TopicPair, psk: Uint8Array, device: Uint8Array): ResumeState {
  return {
    current: { gen: 0, topics, psk: psk.slice() },
    candidate: null,
    attempt: 0,
    peerAttempt: 0,
    answered: null,
    retired: [],
    device: { self: toBase64Url(device), peer: null },
  }
}

/** Every generation of a state, in the order their psks are stored: current, candidate, retired. */
export function generations(s: ResumeState): Generation[] {
  return [s.current, ...(s.candidate ? [s.candidate] : []), ...s.retired]
}

/** The JSON part and the secret part (`psk(current) ‖ psk(candidate)? ‖ psk(retired)*`, a fresh array). */
export function encodeResumeState(s: ResumeState): { json: ResumeJson; secrets: Uint8Array } {
  const json: ResumeJson = {
    gen: s.current.gen,
    candidate: s.candidate ? { gen: s.candidate.gen, topics: s.candidate.topics, n: s.candidate.n } : null,
    attempt: s.attempt,
    peerAttempt: s.peerAttempt,
    answered: s.answered,
    retired: s.retired.map((g) => ({ gen: g.gen, topics: g.topics })),
    device: { ...s.device },
  }
  return { json, secrets: concatBytes(...generations(s).map((g) => g.psk)) }
}

/** The inverse; copies the psks out of `secrets` (the caller wipes its own). */
export function decodeResumeState(json: ResumeJson, topics: TopicPair, secrets: Uint8Array): ResumeState {
  const count = 1 + (json.candidate ? 1 : 0) + json.retired.length
  if (secrets.length !== 32 * count) {
    throw new PairlineError(ErrorCode.StorageFailed, 'The stored session is corrupt.', {
      details: 'the number of stored resume secrets does not match the record',
    })
  }
  const psk = (i: number) => secrets.slice(32 * i, 32 * (i + 1))
  let i = 0
  const current = { gen: json.gen, topics, psk: psk(i++) }
  const candidate = json.candidate ? { ...json.candidate, psk: psk(i++) } : null
  const retired = json.retired.map((g) => ({ ...g, psk: psk(i++) }))
  return {
    current,
    candidate,
    attempt: json.attempt,
    peerAttempt: json.peerAttempt,
    answered: json.answered,
    retired,
    device: { ...json.device },
  }
}

/** Wipes the psks of `dropped` that `kept` no longer references (after a state change settles). */
export function wipeDropped(dropped: ResumeState, kept: ResumeState): void {
  const live = new Set(generations(kept).map((g) => g.psk))
  for (const g of generations(dropped)) if (!live.has(g.psk)) wipe(g.psk)
}

export function wipeResumeState(s: ResumeState): void {
  for (const g of generations(s)) wipe(g.psk)
}

/*
 * State transitions (§8.2). Each returns a new state sharing the Generation objects it keeps; none
 * wipes anything, so a step whose write fails can return to the state before it. wipeDropped
 * settles the psks once the step is decided.
 */

/** The candidate becomes current (the peer proved it holds it); the old current is retired. */
export function committed(s: ResumeState): ResumeState {
  if (!s.candidate) return s
  const { n: _n, ...current } = s.candidate
  return { ...s, current, candidate: null, retired: [s.current, ...s.retired].slice(0, MAX_RETIRED) }
}

/** The responder answered attempt `n` under the current generation: a new candidate. */
export function answered(
  s: ResumeState,
  n: number,
  next: { topics: TopicPair; psk: Uint8Array },
  answer: { msg1: string; msg2: string },
): ResumeState {
  const candidate = { gen: s.current.gen + 1, topics: next.topics, psk: next.psk, n }
  return { ...s, candidate, peerAttempt: n, answered: answer }
}

/** The initiator read an authenticated answer to its attempt under `from`: the new generation is current. */
export function adopted(
  s: ResumeState,
  from: Generation,
  next: { topics: TopicPair; psk: Uint8Array },
): ResumeState {
  const base = s.candidate === from ? committed(s) : s // the peer answered under it: it has it
  const current = { gen: from.gen + 1, topics: next.topics, psk: next.psk }
  return { ...base, current, candidate: null, retired: [base.current, ...base.retired].slice(0, MAX_RETIRED) }
}
